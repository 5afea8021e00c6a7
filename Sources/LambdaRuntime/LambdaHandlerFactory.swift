/// Makes one handler per worker. What it holds is shared by every worker at once, so it is
/// `Sendable`: immutable values and locked stores only.
///
/// With `AWS_LAMBDA_MAX_CONCURRENCY` above 1, each worker calls ``makeHandler()`` on its own thread,
/// and the handler it gets (with its own connections) never leaves that thread.
public protocol LambdaHandlerFactory: Sendable {
    associatedtype Handler: LambdaHandler
    func makeHandler() throws -> Handler
}

extension LambdaHandlerFactory where Self: LambdaHandler {
    /// A `Sendable` handler serves every worker itself.
    public func makeHandler() -> Self { self }
}
