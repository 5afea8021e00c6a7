import TextBytes

/// The body Lambda expects on `/invocation/{id}/error` and `/init/error`.
public struct ErrorReport: Equatable, Sendable {
    public var errorType: String
    public var errorMessage: String

    public init(errorType: String, errorMessage: String) {
        self.errorType = errorType
        self.errorMessage = errorMessage
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
