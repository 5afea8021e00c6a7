import HTTP
import LambdaLogging
import LambdaRuntimeAPI
import Logging
import MiniFoundation

#if canImport(Glibc)
import Glibc
#endif

/// The entry point of a custom runtime: sets up logging and signals, builds the handler, serves.
public enum LambdaRuntime {
    /// Runs the handler built by `makeHandler` for as long as Lambda sends invocations.
    ///
    /// A throwing `makeHandler` is reported on `/runtime/init/error` and ends the process.
    public static func run<Handler: LambdaHandler>(_ makeHandler: (LambdaInitContext) throws -> Handler) -> Never {
        let variables = EnvironmentVariables()
        guard let endpoint = variables["AWS_LAMBDA_RUNTIME_API"], !endpoint.isEmpty else {
            LambdaLogHandler.writeToStandardError(Array((
                "AWS_LAMBDA_RUNTIME_API is not set: this program is a Lambda custom runtime and runs "
                    + "inside Lambda or an emulator (for local runs use `make run`).\n").utf8))
            exit(2)
        }
        let logHandler = LambdaLogHandler(environment: variables)
        LoggingSystem.bootstrap { _ in logHandler }
        let logger = Logger(label: "lambda")
        for problem in LambdaLogHandler.settingProblems(variables) { logger.warning("\(problem)") }
        ShutdownState.installSignalHandlers()

        let client: RuntimeAPIClient
        do {
            // Plain http to the local Runtime API: no CA store.
            client = RuntimeAPIClient(endpoint: endpoint, transport: try HTTPClient(trust: nil))
        } catch {
            logger.critical("cannot start the HTTP client: \(error)")
            exit(1)
        }
        let traceVariable = TraceVariable()
        let loop = RuntimeLoop(
            api: client, shutdown: .process, environment: LambdaEnvironment(variables), logger: logger,
            setTraceID: traceVariable.set, pause: Pause.sleep)
        guard let handler = loop.initialise(variables: variables, makeHandler) else { exit(1) }
        exit(loop.serve(handler))
    }
}
