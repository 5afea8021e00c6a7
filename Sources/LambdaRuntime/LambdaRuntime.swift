import HTTP
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// What a handler's setup can read: the environment, once, before the first invocation.
public struct LambdaInitContext {
    public var variables: EnvironmentVariables
    public var environment: LambdaEnvironment
    public var logger: Logger
    /// Makes HTTP transports of the kind the runtime itself uses, verifying HTTPS peers against
    /// the given CA store.
    public var makeTransport: (TrustStore?) throws(HTTPError) -> any HTTPTransport
}

/// The custom runtime's main loop: `next` → handler → `response` or `error`, until shut down.
public enum LambdaRuntime {
    /// Attempts at the Runtime API before giving up, so Lambda replaces a broken environment.
    static let runtimeAPIAttempts = 4

    /// Runs the handler built by `makeHandler` for as long as Lambda sends invocations.
    ///
    /// A throwing `makeHandler` is reported on `/runtime/init/error` and ends the process.
    public static func run<Handler: LambdaHandler>(
        transport makeTransport: @escaping (TrustStore?) throws(HTTPError) -> any HTTPTransport = {
            (trust: TrustStore?) throws(HTTPError) in try HTTPClient(trust: trust)
        },
        _ makeHandler: (LambdaInitContext) throws -> Handler
    ) -> Never {
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
        ShutdownSignal.install()

        let client: RuntimeAPIClient
        do {
            client = RuntimeAPIClient(endpoint: endpoint, transport: try makeTransport(nil))
        } catch {
            logger.critical("cannot start the HTTP client: \(error)")
            exit(1)
        }
        let environment = LambdaEnvironment(variables)
        let handler: Handler
        do {
            handler = try makeHandler(LambdaInitContext(
                variables: variables, environment: environment, logger: logger, makeTransport: makeTransport))
        } catch {
            let report = ErrorReport(error)
            logger.critical("initialisation failed: \(report.errorType): \(report.errorMessage)")
            do {
                try client.sendInitError(report: report)
            } catch {
                logger.critical("could not report the initialisation error: \(error)")
            }
            exit(1)
        }
        exit(serve(handler, client: client, environment: environment, logger: logger))
    }

    /// Serves invocations; returns the process exit code.
    static func serve<Handler: LambdaHandler>(
        _ handler: Handler, client: RuntimeAPIClient, environment: LambdaEnvironment, logger: Logger
    ) -> Int32 {
        let traceVariable = TraceVariable()
        while true {
            guard ShutdownSignal.enterWaiting() else {
                logger.info("shutting down after SIGTERM")
                return 0
            }
            guard let invocation = nextInvocation(client, logger: logger) else { return 1 }
            guard ShutdownSignal.enterBusy() else {
                logger.info("shutting down after SIGTERM")
                return 0
            }
            traceVariable.set(invocation.traceID)
            var invocationLogger = logger
            invocationLogger[metadataKey: "requestId"] = .string(invocation.requestID)
            let context = LambdaContext(
                requestID: invocation.requestID, deadlineMilliseconds: invocation.deadlineMilliseconds,
                invokedFunctionARN: invocation.invokedFunctionARN, traceID: invocation.traceID,
                clientContext: invocation.clientContext, cognitoIdentity: invocation.cognitoIdentity,
                environment: environment, logger: invocationLogger)
            guard report(invoke(handler, invocation.event, context), for: invocation.requestID, client: client, logger: invocationLogger)
            else { return 1 }
        }
    }

    private static func invoke<Handler: LambdaHandler>(
        _ handler: Handler, _ event: [UInt8], _ context: LambdaContext
    ) -> InvocationOutcome {
        do {
            return .response(try handler.handle(event, context: context))
        } catch {
            let report = ErrorReport(error)
            context.logger.error("invocation failed: \(report.errorType): \(report.errorMessage)")
            return .error(report)
        }
    }

    /// Posts the outcome; false when the Runtime API is gone and the process should end.
    private static func report(
        _ outcome: InvocationOutcome, for requestID: String, client: RuntimeAPIClient, logger: Logger
    ) -> Bool {
        var outcome = outcome
        // A rejected response (e.g. 413, over the payload limit) is turned into an error once, never retried.
        for _ in 0..<2 {
            let result: Result<Void, RuntimeAPIError> = withRuntimeAPIRetries(logger: logger) { () throws(RuntimeAPIError) in
                switch outcome {
                case .response(let body): try client.sendResponse(requestID: requestID, body: body)
                case .error(let report): try client.sendError(requestID: requestID, report: report)
                }
            }
            switch (result, outcome) {
            case (.success, _):
                return true
            case (.failure(.rejected(let status, let body)), .response):
                logger.error("Runtime API rejected the response (HTTP \(status)); reporting an error instead")
                outcome = .error(ErrorReport(
                    errorType: "ResponseRejected",
                    errorMessage: "Lambda rejected the function's response with HTTP \(status): \(body)"))
            case (.failure(.rejected(let status, _)), .error):
                logger.error("Runtime API rejected the error report (HTTP \(status)); moving on")
                return true
            case (.failure(let error), _):
                logger.critical("cannot report the invocation outcome: \(error)")
                return false
            }
        }
        return true
    }

    private static func nextInvocation(_ client: RuntimeAPIClient, logger: Logger) -> Invocation? {
        switch withRuntimeAPIRetries(logger: logger, { () throws(RuntimeAPIError) in try client.next() }) {
        case .success(let invocation): return invocation
        case .failure(let error):
            logger.critical("giving up on the Runtime API: \(error)")
            return nil
        }
    }

    /// Retries unreachable and 5xx answers a few times with doubling pauses; other errors at once.
    static func withRuntimeAPIRetries<T>(
        logger: Logger, _ operation: () throws(RuntimeAPIError) -> T
    ) -> Result<T, RuntimeAPIError> {
        var pause = Duration.milliseconds(50)
        for attempt in 1...runtimeAPIAttempts {
            do {
                return .success(try operation())
            } catch {
                switch error {
                case .unreachable, .serverError, .protocolViolation:
                    guard attempt < runtimeAPIAttempts else { return .failure(error) }
                    logger.warning("Runtime API fault (attempt \(attempt) of \(runtimeAPIAttempts)): \(error)")
                    Pause.sleep(pause)
                    pause *= 2
                case .rejected:
                    return .failure(error)
                }
            }
        }
        preconditionFailure("the retry loop always returns")
    }
}

/// What the handler made of one invocation.
enum InvocationOutcome {
    case response([UInt8])
    case error(ErrorReport)
}

/// Blocking sleep: the runtime has nothing else to do meanwhile.
public enum Pause {
    public static func sleep(_ duration: Duration) {
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}

/// Environment variables, read one at a time when asked for.
///
/// Copying the whole environment into a dictionary at start cost more CPU than everything else the
/// runtime does before its first `next` (Lambda and emulators pass dozens of variables).
public struct EnvironmentVariables: Sendable {
    private let fixed: [String: String]?

    /// The process environment.
    public init() { fixed = nil }

    /// Fixed values, for tests.
    public init(_ values: [String: String]) { fixed = values }

    public subscript(name: String) -> String? {
        if let fixed { return fixed[name] }
        return getenv(name).map { String(cString: $0) }
    }
}
