import LambdaRuntimeAPI

/// An error that names its own Lambda `errorType` and operator-facing message.
public protocol LambdaFunctionError: Error {
    var errorType: String { get }
    var errorMessage: String { get }
}

extension ErrorReport {
    /// The report for any error: its own type and message when it is a ``LambdaFunctionError``,
    /// else the Swift type name and its description.
    init(_ error: any Error) {
        if let error = error as? any LambdaFunctionError {
            self.init(errorType: error.errorType, errorMessage: error.errorMessage)
        } else {
            self.init(errorType: "\(type(of: error))", errorMessage: "\(error)")
        }
    }
}
