import HTTP
import LambdaRuntimeAPI
import Logging
import Testing
import TestSupport

@testable import LambdaRuntime

/// A scripted Runtime API: each call takes the next scripted answer and is recorded.
final class FakeRuntimeAPI: RuntimeAPI {
    enum Call: Equatable {
        case next
        case response(requestID: String, body: [UInt8])
        case error(requestID: String, report: ErrorReport)
        case initError(ErrorReport)
    }

    var calls: [Call] = []
    /// Answers to `next`, in order; when none is left, `next` fails as if the API had gone.
    var nextAnswers: [Result<Invocation, RuntimeAPIError>] = []
    /// Answers to posts, in order; when none is left, posts succeed.
    var postAnswers: [RuntimeAPIError?] = []
    /// Runs inside `next`, before it answers (e.g. a SIGTERM arriving during the long poll).
    var duringNext: (() -> Void)?

    func next() throws(RuntimeAPIError) -> Invocation {
        calls.append(.next)
        duringNext?()
        guard !nextAnswers.isEmpty else { throw .rejected(status: 410, body: "script ended") }
        return try nextAnswers.removeFirst().get()
    }

    func sendResponse(requestID: String, body: [UInt8]) throws(RuntimeAPIError) {
        calls.append(.response(requestID: requestID, body: body))
        try answerPost()
    }

    func sendError(requestID: String, report: ErrorReport) throws(RuntimeAPIError) {
        calls.append(.error(requestID: requestID, report: report))
        try answerPost()
    }

    func sendInitError(report: ErrorReport) throws(RuntimeAPIError) {
        calls.append(.initError(report))
        try answerPost()
    }

    private func answerPost() throws(RuntimeAPIError) {
        guard !postAnswers.isEmpty else { return }
        if let error = postAnswers.removeFirst() { throw error }
    }
}

struct Echo: LambdaHandler {
    var onHandle: () -> Void = {}
    func handle(_ event: [UInt8], context: LambdaContext) throws -> [UInt8] {
        onHandle()
        return event
    }
}

struct Failing: LambdaHandler {
    struct Boom: LambdaFunctionError {
        var errorType: String { "Boom" }
        var errorMessage: String { "it broke" }
    }
    func handle(_ event: [UInt8], context: LambdaContext) throws -> [UInt8] { throw Boom() }
}

func invocation(_ id: String, event: String = "{}", trace: String? = nil) -> Result<Invocation, RuntimeAPIError> {
    .success(Invocation(
        metadata: InvocationMetadata(requestID: id, deadlineMilliseconds: Int64.max / 2, traceID: trace),
        event: Array(event.utf8)))
}

/// The loop wired to a fake: pauses and trace ids are recorded instead of slept and set.
final class LoopHarness {
    let api = FakeRuntimeAPI()
    let shutdown = ShutdownState()
    let clock = SkippedPauses()
    var pauses: [Duration] { clock.pauses }
    var traceIDs: [String?] = []

    var loop: RuntimeLoop {
        RuntimeLoop(
            api: api, shutdown: shutdown, environment: LambdaEnvironment(functionName: "f"),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            setTraceID: { [unowned self] in traceIDs.append($0) }, time: clock.time)
    }
}

@Suite struct RuntimeLoopTests {
    @Test func servesEachInvocationAndSetsItsTraceID() {
        let harness = LoopHarness()
        harness.api.nextAnswers = [invocation("a", event: "1", trace: "Root=1"), invocation("b", event: "2")]
        #expect(harness.loop.serve(Echo()) == 1)  // the script ends as if the Runtime API had gone
        #expect(harness.api.calls == [
            .next, .response(requestID: "a", body: Array("1".utf8)), .next, .response(requestID: "b", body: Array("2".utf8)), .next,
        ])
        #expect(harness.traceIDs == ["Root=1", nil])
    }

    @Test func aThrowingHandlerIsReportedAndTheLoopGoesOn() {
        let harness = LoopHarness()
        harness.api.nextAnswers = [invocation("a"), invocation("b")]
        _ = harness.loop.serve(Failing())
        #expect(harness.api.calls.prefix(4) == [
            .next, .error(requestID: "a", report: ErrorReport(errorType: "Boom", errorMessage: "it broke")),
            .next, .error(requestID: "b", report: ErrorReport(errorType: "Boom", errorMessage: "it broke")),
        ])
    }

    @Test func runtimeAPIFaultsAreRetriedWithDoublingPauses() {
        let harness = LoopHarness()
        harness.api.nextAnswers = [
            .failure(.serverError(status: 500)), .failure(.unreachable(.connectFailed("refused"))), invocation("a"),
        ]
        harness.api.postAnswers = [.serverError(status: 502), nil]
        _ = harness.loop.serve(Echo())
        #expect(harness.api.calls.prefix(5) == [
            .next, .next, .next, .response(requestID: "a", body: Array("{}".utf8)), .response(requestID: "a", body: Array("{}".utf8)),
        ])
        #expect(harness.pauses.prefix(3) == [.milliseconds(50), .milliseconds(100), .milliseconds(50)])
    }

    @Test func givesUpAfterFourFaultsAndExitsWithOne() {
        let harness = LoopHarness()
        harness.api.nextAnswers = Array(repeating: .failure(.serverError(status: 503)), count: 10)
        #expect(harness.loop.serve(Echo()) == 1)
        #expect(harness.api.calls == Array(repeating: .next, count: RuntimeLoop.runtimeAPIRetries.maxAttempts))
        #expect(harness.pauses == [.milliseconds(50), .milliseconds(100), .milliseconds(200)])
    }

    @Test func aRejectedResponseIsReportedOnceAsAnError() {
        let harness = LoopHarness()
        harness.api.nextAnswers = [invocation("a")]
        harness.api.postAnswers = [.rejected(status: 413, body: "payload too large")]
        _ = harness.loop.serve(Echo())
        #expect(harness.api.calls.prefix(3) == [
            .next, .response(requestID: "a", body: Array("{}".utf8)),
            .error(requestID: "a", report: ErrorReport(
                errorType: "ResponseRejected",
                errorMessage: "Lambda rejected the function's response with HTTP 413: payload too large")),
        ])
        #expect(harness.api.calls.count { if case .response = $0 { true } else { false } } == 1)
        #expect(harness.pauses.isEmpty)  // a rejection is never retried
    }

    @Test func aRejectedErrorReportIsNotRetriedAndTheLoopMovesOn() {
        let harness = LoopHarness()
        harness.api.nextAnswers = [invocation("a"), invocation("b")]
        harness.api.postAnswers = [.rejected(status: 400, body: "bad"), nil]
        _ = harness.loop.serve(Failing())
        #expect(harness.api.calls.prefix(4).map { if case .error(let id, _) = $0 { id } else { "\($0)" } } == ["next", "a", "next", "b"])
    }

    @Test func aLostRuntimeAPIWhileReportingEndsTheProcess() {
        let harness = LoopHarness()
        harness.api.nextAnswers = [invocation("a"), invocation("b")]
        harness.api.postAnswers = Array(repeating: .unreachable(.connectFailed("gone")), count: 4)
        #expect(harness.loop.serve(Echo()) == 1)
        #expect(harness.api.calls.count == 1 + RuntimeLoop.runtimeAPIRetries.maxAttempts)
    }

    @Test func anInitErrorIsReportedWithItsTypeAndNoHandlerIsMade() {
        struct BadSetting: LambdaFunctionError {
            var errorType: String { "ConfigurationError" }
            var errorMessage: String { "API_BASE_URL is required but not set" }
        }
        let harness = LoopHarness()
        let handler: Echo? = harness.loop.initialise(variables: .init([:])) { _ in throw BadSetting() }
        #expect(handler == nil)
        #expect(harness.api.calls == [.initError(ErrorReport(
            errorType: "ConfigurationError", errorMessage: "API_BASE_URL is required but not set"))])
    }

    @Test func theInitContextCarriesTheEnvironment() {
        let harness = LoopHarness()
        let handler: Echo? = harness.loop.initialise(variables: .init(["X": "1"])) { setup in
            #expect(setup.variables["X"] == "1")
            #expect(setup.environment.functionName == "f")
            return Echo()
        }
        #expect(handler != nil)
        #expect(harness.api.calls.isEmpty)
    }

    @Test func sigtermWhileBusyFinishesTheInvocationThenExitsZero() {
        let harness = LoopHarness()
        harness.api.nextAnswers = [invocation("a"), invocation("b")]
        var exitAtOnce: Bool?
        let handler = Echo(onHandle: { exitAtOnce = harness.shutdown.request() })
        #expect(harness.loop.serve(handler) == 0)
        #expect(exitAtOnce == false)  // busy: the signal handler leaves it to the loop
        #expect(harness.api.calls == [.next, .response(requestID: "a", body: Array("{}".utf8))])
    }

    @Test func sigtermWhileIdleExitsAtOnceAndStartsNothing() {
        let harness = LoopHarness()
        harness.api.nextAnswers = [invocation("a")]
        var exitAtOnce: Bool?
        let shutdown = harness.shutdown  // not the harness: the fake keeps this closure (no cycle)
        harness.api.duringNext = { exitAtOnce = shutdown.request() }
        var handled = false
        #expect(harness.loop.serve(Echo(onHandle: { handled = true })) == 0)
        #expect(exitAtOnce == true)  // waiting in next: the signal handler _exits at once
        #expect(!handled)  // an invocation that still arrives is not started
        #expect(harness.api.calls == [.next])
    }
}
