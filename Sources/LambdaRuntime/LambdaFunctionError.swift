/// An error that names its own Lambda `errorType` and operator-facing message.
public protocol LambdaFunctionError: Error {
    var errorType: String { get }
    var errorMessage: String { get }
}

/// The body Lambda expects on `/invocation/{id}/error` and `/init/error`.
public struct ErrorReport: Equatable, Sendable {
    public var errorType: String
    public var errorMessage: String

    public init(errorType: String, errorMessage: String) {
        self.errorType = errorType
        self.errorMessage = errorMessage
    }

    public init(_ error: any Error) {
        if let error = error as? any LambdaFunctionError {
            self.init(errorType: error.errorType, errorMessage: error.errorMessage)
        } else {
            self.init(errorType: "\(type(of: error))", errorMessage: "\(error)")
        }
    }

    /// `{"errorMessage": …, "errorType": …, "stackTrace": []}`: Swift errors carry no stack trace.
    public var json: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + errorMessage.utf8.count + errorType.utf8.count)
        out.append(UInt8(ascii: "{"))
        JSONText.appendMember("errorMessage", errorMessage, to: &out, first: true)
        JSONText.appendMember("errorType", errorType, to: &out)
        JSONText.appendRaw(#","stackTrace":[]}"#, to: &out)
        return out
    }
}
