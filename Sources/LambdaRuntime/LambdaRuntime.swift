import HTTP
import LambdaLogging
import LambdaRuntimeAPI
import Logging
import ProcessEnvironment

#if canImport(Glibc)
import Glibc
#endif

/// The entry point of a custom runtime: sets up logging and signals, builds the handlers, serves.
public enum LambdaRuntime {
    /// Serves the handlers `makeFactory`'s factory makes, for as long as Lambda sends invocations:
    /// one at a time, or `AWS_LAMBDA_MAX_CONCURRENCY` at once on Lambda Managed Instances, each on a
    /// worker thread with a handler of its own.
    ///
    /// A throwing `makeFactory` or first `makeHandler`, or a bad runtime setting, is reported on
    /// `/runtime/init/error` and ends the process.
    public static func run<Factory: LambdaHandlerFactory>(_ makeFactory: @Sendable (LambdaInitContext) throws -> Factory) -> Never {
        let variables = EnvironmentVariables()
        guard let endpoint = variables["AWS_LAMBDA_RUNTIME_API"], !endpoint.isEmpty else {
            LambdaLogHandler.writeToStandardError(Array((
                "AWS_LAMBDA_RUNTIME_API is not set: this program is a Lambda custom runtime and runs "
                    + "inside Lambda or an emulator (for local runs use `make run`).\n").utf8))
            exit(2)
        }
        let logSettings = LogSettings(environment: variables)
        let logHandler = LambdaLogHandler(settings: logSettings)
        LoggingSystem.bootstrap { _ in logHandler }
        let logger = Logger(label: "lambda")
        for problem in logSettings.problems { logger.warning("\(problem)") }
        ShutdownState.installSignalHandlers()

        let environment = LambdaEnvironment(variables)
        // A malformed value is reported as an init error below, once the Runtime API can hear it.
        var settings = RuntimeSettings()
        var settingError: RuntimeSettingError?
        do {
            settings = try RuntimeSettings(variables)
        } catch {
            settingError = error
        }
        let workers = settings.workers
        @Sendable func makeLoop() throws(HTTPError) -> RuntimeLoop {
            // Plain http to the local Runtime API: no CA store.
            let client = RuntimeAPIClient(endpoint: endpoint, transport: try HTTPClient(trust: nil))
            // With several workers the process-wide trace variable would carry another invocation's id.
            let setTraceID: (String?) -> Void = workers == 1 ? TraceVariable().set : { _ in }
            return RuntimeLoop(
                api: client, shutdown: .process, environment: environment, logger: logger,
                setTraceID: setTraceID, time: .live, logsTraceID: workers > 1)
        }
        let loop: RuntimeLoop
        do {
            loop = try makeLoop()
        } catch {
            logger.critical("cannot start the HTTP client: \(error)")
            exit(1)
        }
        guard let (factory, handler) = loop.initialise(variables: variables, { [settings] setup in
            if let settingError { throw settingError }
            if settings.workers > 1 && logHandler.format == .text {
                setup.logger.warning("AWS_LAMBDA_LOG_FORMAT is Text with \(settings.workers) concurrent invocations: Lambda Managed Instances accept only JSON; each Text line still names its request id")
            }
            if settings.registersShutdownExtension { ShutdownExtension.register(endpoint: endpoint, logger: setup.logger) }
            let factory = try makeFactory(setup)
            return (factory, try factory.makeHandler())
        }) else { exit(1) }
        if workers == 1 { exit(loop.serve(handler)) }
        // Each worker makes its own loop and handler on its thread; the ones made here only proved,
        // during init, that the factory works.
        logger.info("serving \(workers) invocations at once (\(RuntimeSettings.concurrencyVariable))")
        let pool = WorkerPool(workers: workers, shutdown: .process, makeLoop: { try makeLoop() }, logger: logger)
        let (exitCode, threads) = pool.run(factory)
        for thread in threads { thread.detach() }  // the ones still polling end with the process
        exit(exitCode)
    }
}
