import HTTP
import LambdaRuntimeAPI
import Logging
import Threads

/// Registers the no-op internal extension that makes Lambda deliver SIGTERM before it ends the
/// environment, then parks one thread in its `event/next`, which Lambda never answers.
///
/// Without any registered extension Lambda ends the process with SIGKILL, and the graceful shutdown
/// (finish every in-flight invocation, post its response, exit 0) would never run in production.
/// The Go (`WithEnableSIGTERM`) and Rust runtimes register the same kind of extension.
enum ShutdownExtension {
    /// Registers and starts the waiting thread; a failure is logged, never fatal: the function still
    /// works, only without a SIGTERM at shutdown.
    static func register(endpoint: String, logger: Logger) {
        let requests = ExtensionsAPIRequests(endpoint: endpoint)
        do {
            let client = try HTTPClient(trust: nil)
            let id = try ExtensionsAPIRequests.extensionID(from: try client.send(requests.register()))
            try OSThread {
                // Blocks for the environment's life. An answer would be a protocol fault: say so once.
                do {
                    let response = try client.send(requests.next(extensionID: id))
                    logger.warning("extension event/next answered unexpectedly (HTTP \(response.status)); SIGTERM delivery may stop")
                } catch {
                    logger.warning("extension event/next failed: \(error); SIGTERM delivery may stop")
                }
            }.detach()
        } catch {
            logger.warning("could not register the SIGTERM extension: \(error); Lambda will end this environment without SIGTERM")
        }
    }
}
