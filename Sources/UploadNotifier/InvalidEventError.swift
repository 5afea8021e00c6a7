import LambdaRuntime

/// The event is not an S3 notification.
public struct InvalidEventError: LambdaFunctionError, Equatable {
    public var reason: String
    public var errorType: String { "InvalidEvent" }
    public var errorMessage: String { reason }
}
