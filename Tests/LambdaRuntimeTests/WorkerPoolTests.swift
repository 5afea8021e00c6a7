import Clocks
import HTTP
import LambdaRuntimeAPI
import Logging
import Synchronization
import Testing
import TestSupport
import Threads

@testable import LambdaRuntime

/// A Runtime API shared by every worker's connection: hands each queued invocation to whichever
/// worker polls, counts invocations in flight, and records every post. `next` blocks while the
/// queue is empty, for at most `pollLimit`, like Lambda's long poll.
final class SharedRuntimeAPI: Sendable {
    struct Post: Equatable {
        var requestID: String
        var body: [UInt8]
    }

    private struct State {
        var queue: [Invocation] = []
        var inFlight = 0
        var peakInFlight = 0
        var posts: [Post] = []
        var nextCalls = 0
        var closed = false
        /// Whether the `next` calls of connections not serving an invocation fail as if the API were gone.
        var idleConnectionsFail = false
        /// Connections holding an invocation they have not answered yet.
        var busyConnections: Set<Int> = []
        var connections = 0
    }

    private let state = Locked(State())
    static let pollLimit: Duration = .seconds(20)

    func enqueue(_ invocation: Invocation) { state.withLock { $0.queue.append(invocation) } }
    /// From now on, the connections not serving an invocation find the API gone.
    func failIdleConnections() { state.withLock { $0.idleConnectionsFail = true } }
    /// Ends every long poll: blocked workers see the API gone, so that test threads can be joined.
    func close() { state.withLock { $0.closed = true } }

    var peakInFlight: Int { state.withLock { $0.peakInFlight } }
    var posts: [Post] { state.withLock { $0.posts } }
    var nextCalls: Int { state.withLock { $0.nextCalls } }
    var connections: Int { state.withLock { $0.connections } }

    func connect() -> Connection {
        Connection(api: self, index: state.withLock { state in
            defer { state.connections += 1 }
            return state.connections
        })
    }

    fileprivate func next(connection: Int) throws(RuntimeAPIError) -> Invocation {
        let end = ContinuousClock.now + Self.pollLimit
        while ContinuousClock.now < end {
            let answer: Result<Invocation, RuntimeAPIError>? = state.withLock { state in
                if state.closed { return .failure(.rejected(status: 410, body: "closed")) }
                if state.idleConnectionsFail && !state.busyConnections.contains(connection) {
                    return .failure(.serverError(status: 503))
                }
                guard !state.queue.isEmpty else { return nil }
                state.nextCalls += 1
                state.inFlight += 1
                state.peakInFlight = max(state.peakInFlight, state.inFlight)
                state.busyConnections.insert(connection)
                return .success(state.queue.removeFirst())
            }
            if let answer { return try answer.get() }
            Pause.sleep(.milliseconds(1))
        }
        throw .rejected(status: 408, body: "long poll over")
    }

    fileprivate func post(_ post: Post, connection: Int) {
        state.withLock { state in
            state.busyConnections.remove(connection)
            state.posts.append(post)
            state.inFlight -= 1
        }
    }

    /// One worker's connection: what `RuntimeAPIClient` is in `bootstrap`.
    final class Connection: RuntimeAPI {
        let api: SharedRuntimeAPI
        let index: Int
        init(api: SharedRuntimeAPI, index: Int) {
            self.api = api
            self.index = index
        }

        func next() throws(RuntimeAPIError) -> Invocation { try api.next(connection: index) }
        func sendResponse(requestID: String, body: [UInt8]) throws(RuntimeAPIError) { api.post(.init(requestID: requestID, body: body), connection: index) }
        func sendError(requestID: String, report: ErrorReport) throws(RuntimeAPIError) { api.post(.init(requestID: requestID, body: report.json), connection: index) }
        func sendInitError(report: ErrorReport) throws(RuntimeAPIError) {}
    }
}

/// Holds every handler until `count` of them are inside at once (or a bounded wait ran out), so
/// that a test sees the peak it asks for; `entered` tells how many got in.
final class Barrier: Sendable {
    private let arrived = Atomic<Int>(0)
    private let count: Int

    init(count: Int) { self.count = count }

    var entered: Int { arrived.load(ordering: .sequentiallyConsistent) }

    func arriveAndWait(onAllArrived: () -> Void = {}) {
        if arrived.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue == count { onAllArrived() }
        for _ in 0..<10_000 where entered < count { Pause.sleep(.milliseconds(1)) }
    }
}

/// Answers with what its context says, so a test can tell whether ids crossed between invocations.
struct ContextEcho: LambdaHandler, LambdaHandlerFactory {
    let barrier: Barrier
    var onAllArrived: @Sendable () -> Void = {}

    func handle(_ event: [UInt8], context: LambdaContext) throws -> [UInt8] {
        barrier.arriveAndWait(onAllArrived: onAllArrived)
        return Array("\(context.requestID)|\(context.traceID ?? "-")|\(context.tenantID ?? "-")".utf8)
    }
}

/// The pool over a shared fake, run on a thread of its own so the test can act while it serves.
final class PoolHarness: Sendable {
    let api = SharedRuntimeAPI()
    let shutdown = ShutdownState()
    let workers: Int
    private let result = Locked<(exitCode: Int32, threads: [OSThread])?>(nil)
    private let runner = Locked<OSThread?>(nil)

    init(workers: Int) { self.workers = workers }

    func start(_ handler: ContextEcho) throws {
        let api = self.api
        let pool = WorkerPool(
            workers: workers, shutdown: shutdown,
            makeLoop: { [shutdown] in
                RuntimeLoop(
                    api: api.connect(), shutdown: shutdown, environment: LambdaEnvironment(functionName: "f"),
                    logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                    setTraceID: { _ in },
                    time: SkippedPauses().time, logsTraceID: true)
            },
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let thread = try OSThread { [self] in
            let outcome = pool.run(handler)
            result.withLock { $0 = outcome }
        }
        runner.withLock { $0 = thread }
    }

    /// The pool's exit code once it has decided to exit (nil if it has not within `limit`).
    func exitCode(within limit: Duration = .seconds(20)) -> Int32? {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if let code = result.withLock({ $0?.exitCode }) { return code }
            Pause.sleep(.milliseconds(2))
        }
        return nil
    }

    /// Releases every worker still polling and waits for all threads to end.
    func finish() {
        api.close()
        runner.withLock { $0 }?.join()
        for thread in result.withLock({ $0?.threads ?? [] }) { thread.join() }
    }

    func waitForPosts(_ count: Int, within limit: Duration = .seconds(20)) {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end && api.posts.count < count { Pause.sleep(.milliseconds(2)) }
    }
}

func invocation(_ index: Int) -> Invocation {
    Invocation(
        metadata: InvocationMetadata(
            requestID: "request-\(index)", deadlineMilliseconds: Int64.max / 2, traceID: "Root=1-trace-\(index)",
            tenantID: "tenant-\(index)"),
        event: Array("{}".utf8))
}

@Suite struct WorkerPoolTests {
    @Test(arguments: [2, 8, 32])
    func everyWorkerServesAtOnceAndEachResponseGoesOnceToItsOwnRequest(workers: Int) throws {
        let harness = PoolHarness(workers: workers)
        for index in 0..<workers * 2 { harness.api.enqueue(invocation(index)) }
        try harness.start(ContextEcho(barrier: Barrier(count: workers)))
        harness.waitForPosts(workers * 2)
        harness.finish()

        #expect(harness.api.peakInFlight == workers)
        let posts = harness.api.posts
        #expect(posts.count == workers * 2)
        #expect(Set(posts.map(\.requestID)).count == workers * 2)  // each exactly once
        for post in posts {
            let index = post.requestID.dropFirst("request-".count)
            // The trace and tenant ids the handler saw are those of the request it answered.
            #expect(String(decoding: post.body, as: UTF8.self) == "request-\(index)|Root=1-trace-\(index)|tenant-\(index)")
        }
    }

    @Test func sigtermWithEveryWorkerBusyFinishesThemAllThenExitsZero() throws {
        let workers = 8
        let harness = PoolHarness(workers: workers)
        for index in 0..<workers * 2 { harness.api.enqueue(invocation(index)) }
        let signalWhileBusy = Locked<Bool?>(nil)
        let shutdown = harness.shutdown
        // SIGTERM arrives once all eight are inside their handlers.
        try harness.start(ContextEcho(barrier: Barrier(count: workers), onAllArrived: {
            let exitAtOnce = shutdown.request()
            signalWhileBusy.withLock { $0 = exitAtOnce }
        }))
        let exitCode = harness.exitCode()
        harness.finish()

        #expect(signalWhileBusy.withLock { $0 } == false)  // busy: the signal handler leaves it to the workers
        #expect(exitCode == 0)
        #expect(harness.api.posts.count == workers)  // every in-flight invocation posted its response
        #expect(harness.api.nextCalls == workers)  // and none started after the signal
    }

    @Test func sigtermWithEveryWorkerIdleExitsAtOnce() throws {
        let harness = PoolHarness(workers: 4)
        try harness.start(ContextEcho(barrier: Barrier(count: 1)))
        // Every worker counts itself idle once it polls.
        for _ in 0..<10_000 where harness.api.connections < 4 || harness.shutdown.busyWorkers > 0 {
            Pause.sleep(.milliseconds(1))
        }
        #expect(harness.shutdown.request() == true)  // nobody busy: the signal handler _exits at once
        #expect(harness.shutdown.exitCode == 0)
        harness.finish()
    }

    @Test func aWorkerThatLosesTheRuntimeAPIStopsTheOthersAfterTheirInvocationsThenExitsOne() throws {
        let workers = 4
        let harness = PoolHarness(workers: workers)
        for index in 0..<workers - 1 { harness.api.enqueue(invocation(index)) }
        let api = harness.api
        // Once three workers are busy, the fourth's connection breaks for good.
        try harness.start(ContextEcho(barrier: Barrier(count: workers - 1), onAllArrived: { api.failIdleConnections() }))
        let exitCode = harness.exitCode()
        harness.finish()

        #expect(exitCode == 1)
        #expect(harness.api.posts.count == workers - 1)  // the in-flight invocations finished first
    }
}
