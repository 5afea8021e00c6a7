import LambdaRuntimeAPI
import Logging
import ProcessEnvironment
import Retrying

/// The custom runtime's loop: `next` → handler → `response` or `error`, until shut down.
///
/// Everything it touches is handed in (the Runtime API, the shutdown state, where the trace id
/// goes, how to pause), so its failure paths are unit-tested with fakes; the process tests show
/// that the real binary behaves the same. Not generic over the API: a generic struct's metadata is
/// built at start by demangling its name, which cost more than every call through the existential.
struct RuntimeLoop {
    /// 4 attempts at the Runtime API, 50, 100 and 200 ms apart, before giving up so that Lambda
    /// replaces a broken environment. No jitter: the API is local and serves this environment only.
    static var runtimeAPIRetries: RetryPolicy { RetryPolicy(maxAttempts: 4, firstPause: .milliseconds(50), jitter: .none) }

    let api: any RuntimeAPI
    let shutdown: ShutdownState
    let environment: LambdaEnvironment
    let logger: Logger
    /// Sets `_X_AMZN_TRACE_ID` for the invocation about to run (a no-op with several workers).
    let setTraceID: (String?) -> Void
    /// How to pause between attempts at the Runtime API: virtual in tests.
    let time: RetryTime
    /// Puts the trace id on the invocation's log lines: with several workers the process-wide
    /// variable cannot carry it.
    var logsTraceID = false

    /// Builds what serves the invocations; a throwing `makeHandler` is reported on
    /// `/runtime/init/error` and gives nil.
    func initialise<Handler>(
        variables: EnvironmentVariables, _ makeHandler: (LambdaInitContext) throws -> Handler
    ) -> Handler? {
        do {
            return try makeHandler(LambdaInitContext(variables: variables, environment: environment, logger: logger))
        } catch {
            let report = ErrorReport(error)
            logger.critical("initialisation failed: \(report.errorType): \(report.errorMessage)")
            do {
                try api.sendInitError(report: report)
            } catch {
                logger.critical("could not report the initialisation error: \(error)")
            }
            return nil
        }
    }

    /// Serves invocations; returns this worker's exit code: 0 after a stop request (SIGTERM, or
    /// another worker that lost the Runtime API), 1 when the Runtime API is gone. Either way the
    /// worker is no longer counted busy, and with one worker the code is the process's.
    func serve<Handler: LambdaHandler>(_ handler: Handler) -> Int32 {
        while true {
            guard shutdown.enterWaiting() else {
                logger.info("shutting down after SIGTERM")
                return 0
            }
            guard let invocation = nextInvocation() else {
                shutdown.runtimeAPIWasLost()
                return 1
            }
            guard shutdown.enterBusy() else {
                logger.info("shutting down after SIGTERM")
                return 0
            }
            let metadata = invocation.metadata
            setTraceID(metadata.traceID)
            var invocationLogger = logger
            invocationLogger[metadataKey: "requestId"] = .string(metadata.requestID)
            if let tenantID = metadata.tenantID { invocationLogger[metadataKey: "tenantId"] = .string(tenantID) }
            if logsTraceID, let traceID = metadata.traceID { invocationLogger[metadataKey: "traceId"] = .string(traceID) }
            let context = LambdaContext(metadata, environment: environment, logger: invocationLogger)
            guard report(invoke(handler, invocation.event, context), for: metadata.requestID, logger: invocationLogger)
            else {
                shutdown.runtimeAPIWasLost()
                _ = shutdown.enterWaiting()  // this invocation is over, reported or not
                return 1
            }
        }
    }

    private func invoke<Handler: LambdaHandler>(
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
    private func report(_ outcome: InvocationOutcome, for requestID: String, logger: Logger) -> Bool {
        var outcome = outcome
        // A rejected response (e.g. 413, over the payload limit) is turned into an error once, never retried.
        for _ in 0..<2 {
            let result: Result<Void, RuntimeAPIError> = withRetries(logger: logger) { () throws(RuntimeAPIError) in
                switch outcome {
                case .response(let body): try api.sendResponse(requestID: requestID, body: body)
                case .error(let report): try api.sendError(requestID: requestID, report: report)
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

    private func nextInvocation() -> Invocation? {
        switch withRetries(logger: logger, { () throws(RuntimeAPIError) in try api.next() }) {
        case .success(let invocation): return invocation
        case .failure(let error):
            logger.critical("giving up on the Runtime API: \(error)")
            return nil
        }
    }

    /// Retries unreachable and 5xx answers with doubling pauses; a rejection at once.
    func withRetries<T>(logger: Logger, _ operation: () throws(RuntimeAPIError) -> T) -> Result<T, RuntimeAPIError> {
        let policy = Self.runtimeAPIRetries
        return policy.run(
            time: time,
            isTransient: { error in
                switch error {
                case .unreachable, .serverError, .protocolViolation: true
                case .rejected: false
                }
            },
            beforePause: { attempt, error, _ in
                logger.warning("Runtime API fault (attempt \(attempt) of \(policy.maxAttempts)): \(error)")
            },
            operation)
    }
}

/// What the handler made of one invocation.
enum InvocationOutcome {
    case response([UInt8])
    case error(ErrorReport)
}
