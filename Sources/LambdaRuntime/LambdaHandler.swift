/// Serves one invocation: the event's bytes in, the response's bytes out.
///
/// Throwing reports an invocation error to Lambda (conform the error to ``LambdaFunctionError``
/// to choose its `errorType`); the process lives on and serves the next invocation.
public protocol LambdaHandler {
    func handle(_ event: [UInt8], context: LambdaContext) throws -> [UInt8]
}

