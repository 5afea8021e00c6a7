import TextBytes
import Threads

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What became of one invocation, as the function reported it.
public enum InvocationResult: Sendable, Equatable {
    case response([UInt8])
    /// `Lambda-Runtime-Function-Error-Type` header and the error document.
    case error(type: String?, body: [UInt8])

    public var bodyText: String {
        switch self {
        case .response(let body), .error(_, let body): String(decoding: body, as: UTF8.self)
        }
    }
}

/// A fault the Runtime API server injects instead of answering normally.
public enum RuntimeAPIFault: Sendable {
    case status(Int)
    case dropConnection
    /// Answers normally, but only after this long.
    case delay(Duration)
}

public enum RuntimeAPIRoute: Sendable, Hashable {
    case next, response, error, initError
}

public struct RuntimeAPIServerError: Error, CustomStringConvertible {
    public var description: String
}

/// An embedded Lambda Runtime API (2018-06-01) on loopback: queues events, serves `next` as a long
/// poll with realistic headers and deadlines, records responses, errors and init errors, and
/// injects faults on demand. For tests and local replay; never deployed.
public final class RuntimeAPIServer: Sendable {
    public static let functionARN = "arn:aws:lambda:us-east-1:123456789012:function:VoiceByAuribus-AudioUploadNotifier"
    /// Lambda's limit for a synchronous response payload.
    public static let maxResponseBytes = 6 * 1024 * 1024

    private let core = RuntimeAPICore()
    private let server: LoopbackHTTPServer

    public init(port: Int = 0) async throws {
        let core = self.core
        server = try await LoopbackHTTPServer(port: port) { request in await core.route(request) }
    }

    /// `host:port`, the value for `AWS_LAMBDA_RUNTIME_API`.
    public var endpoint: String { "127.0.0.1:\(server.port)" }

    /// Queues an event; the function receives it on its next `next`. Returns the request id.
    @discardableResult
    public func enqueue(
        _ event: [UInt8], timeout: Duration = .seconds(30), traceID: String? = RuntimeAPIServer.makeTraceID(),
        clientContext: String? = nil, cognitoIdentity: String? = nil, tenantID: String? = nil
    ) -> String {
        let invocation = PendingInvocation(
            requestID: UUID().uuidString.lowercased(), event: event, timeout: timeout, traceID: traceID,
            clientContext: clientContext, cognitoIdentity: cognitoIdentity, tenantID: tenantID)
        core.enqueue(invocation)
        return invocation.requestID
    }

    /// The next `count` requests to `route` get `fault` instead of a normal answer.
    public func inject(_ fault: RuntimeAPIFault, on route: RuntimeAPIRoute, count: Int = 1) {
        core.state.withLock { $0.faults[route, default: []].append(contentsOf: Array(repeating: fault, count: count)) }
    }

    /// How many requests `route` has received, faults included.
    public func requestCount(_ route: RuntimeAPIRoute) -> Int {
        core.state.withLock { $0.requestCounts[route] ?? 0 }
    }

    public func result(for requestID: String) -> InvocationResult? {
        core.state.withLock { $0.results[requestID] }
    }

    public var initError: InvocationResult? { core.state.withLock { $0.initError } }

    /// The names extensions registered with (`Lambda-Extension-Name`), in order.
    public var registeredExtensions: [String] { core.state.withLock { $0.extensions } }

    /// Invocations handed out through `next` and not yet answered, and the most there ever were.
    public var inFlight: (now: Int, peak: Int) { core.state.withLock { ($0.inFlight.count, $0.peakInFlight) } }

    /// Whether the function has received `requestID` through `next`.
    public func wasHandedOut(_ requestID: String) -> Bool {
        core.state.withLock { $0.inFlight.contains(requestID) || $0.results[requestID] != nil }
    }

    /// Waits, at most `timeout`, for the function to report on `requestID`.
    public func waitForResult(_ requestID: String, timeout: Duration = .seconds(30)) async throws -> InvocationResult {
        try await Polling.until(timeout: timeout, what: "a result for invocation \(requestID)") { self.result(for: requestID) }
    }

    /// Waits, at most `timeout`, for `/runtime/init/error`.
    public func waitForInitError(timeout: Duration = .seconds(10)) async throws -> InvocationResult {
        try await Polling.until(timeout: timeout, what: "an init error") { self.initError }
    }

    /// Stops serving; pending long polls are dropped.
    public func shutdown() async {
        core.stop()
        await server.shutdown()
    }

    /// An X-Ray trace header of the shape Lambda passes in `Lambda-Runtime-Trace-Id`.
    public static func makeTraceID() -> String {
        func hex(_ count: Int) -> String {
            String(decoding: (0..<count).map { _ in ASCII.hexDigit(UInt8.random(in: 0..<16), uppercase: false) }, as: UTF8.self)
        }
        let epoch = String(Int(Date().timeIntervalSince1970), radix: 16)
        return "Root=1-\(epoch)-\(hex(24));Parent=\(hex(16));Sampled=0"
    }
}

struct PendingInvocation: Sendable {
    var requestID: String
    var event: [UInt8]
    var timeout: Duration
    var traceID: String?
    var clientContext: String?
    var cognitoIdentity: String?
    var tenantID: String?
}

/// The Runtime API's state and routing, shared with the HTTP server's connection tasks.
final class RuntimeAPICore: Sendable {
    struct State {
        var queue: [PendingInvocation] = []
        var waiters: [CheckedContinuation<PendingInvocation?, Never>] = []
        var inFlight: Set<String> = []
        var results: [String: InvocationResult] = [:]
        var initError: InvocationResult?
        var faults: [RuntimeAPIRoute: [RuntimeAPIFault]] = [:]
        var requestCounts: [RuntimeAPIRoute: Int] = [:]
        var stopped = false
        var peakInFlight = 0
        var extensions: [String] = []
        /// Extensions' `event/next` polls: never answered (they subscribe to no event) until stop.
        var extensionWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let state = Locked(State())

    func enqueue(_ invocation: PendingInvocation) {
        let waiter: CheckedContinuation<PendingInvocation?, Never>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.queue.append(invocation)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: invocation)
    }

    func stop() {
        let (waiters, extensionWaiters) = state.withLock { state in
            state.stopped = true
            defer {
                state.waiters.removeAll()
                state.extensionWaiters.removeAll()
            }
            return (state.waiters, state.extensionWaiters)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
        for waiter in extensionWaiters { waiter.resume() }
    }

    func route(_ request: RecordedRequest) async -> ServerReply {
        let parts = request.path.split(separator: "/").map(String.init)
        if parts.first == "2020-01-01" { return await extensionRoute(request, parts) }
        guard parts.count >= 4, parts[0] == "2018-06-01", parts[1] == "runtime" else {
            return .json(404, #"{"errorMessage":"unknown path","errorType":"NotFound"}"#)
        }
        let route: RuntimeAPIRoute
        let tail = parts.dropFirst(2).joined(separator: "/")
        if request.method == "GET" && tail == "invocation/next" {
            route = .next
        } else if request.method == "POST" && tail == "init/error" {
            route = .initError
        } else if request.method == "POST" && parts.count == 5 && parts[2] == "invocation" && parts[4] == "response" {
            route = .response
        } else if request.method == "POST" && parts.count == 5 && parts[2] == "invocation" && parts[4] == "error" {
            route = .error
        } else {
            return .json(404, #"{"errorMessage":"unknown route","errorType":"NotFound"}"#)
        }
        let fault: RuntimeAPIFault? = state.withLock { state in
            state.requestCounts[route, default: 0] += 1
            guard var queued = state.faults[route], !queued.isEmpty else { return nil }
            defer { state.faults[route] = queued }
            return queued.removeFirst()
        }
        switch fault {
        case .status(let status):
            return .json(status, #"{"errorMessage":"injected fault","errorType":"InjectedFault"}"#)
        case .dropConnection:
            return .dropConnection
        case .delay(let duration):
            try? await Task.sleep(for: duration)
        case nil:
            break
        }
        switch route {
        case .next:
            return await next()
        case .response, .error:
            return record(request, requestID: parts[3], route: route)
        case .initError:
            let report = InvocationResult.error(type: request.header("Lambda-Runtime-Function-Error-Type"), body: request.body)
            state.withLock { $0.initError = report }
            return .json(202, #"{"status":"OK"}"#)
        }
    }

    /// The Extensions API 2020-01-01 as an internal extension uses it: register, then an
    /// `event/next` that waits for good (no event is subscribed to).
    private func extensionRoute(_ request: RecordedRequest, _ parts: [String]) async -> ServerReply {
        let tail = parts.dropFirst().joined(separator: "/")
        if request.method == "POST" && tail == "extension/register" {
            guard let name = request.header("Lambda-Extension-Name"), !name.isEmpty else {
                return .json(400, #"{"errorMessage":"missing Lambda-Extension-Name","errorType":"Extension.InvalidRequest"}"#)
            }
            state.withLock { $0.extensions.append(name) }
            return .respond(
                status: 200, headers: [("Content-Type", "application/json"), ("Lambda-Extension-Identifier", UUID().uuidString.lowercased())],
                body: Array(#"{"functionName":"VoiceByAuribus-AudioUploadNotifier","functionVersion":"$LATEST","handler":""}"#.utf8))
        }
        if request.method == "GET" && tail == "extension/event/next" {
            guard request.header("Lambda-Extension-Identifier") != nil else {
                return .json(403, #"{"errorMessage":"missing Lambda-Extension-Identifier","errorType":"Extension.Forbidden"}"#)
            }
            await withCheckedContinuation { continuation in
                let stopped = state.withLock { state in
                    if !state.stopped { state.extensionWaiters.append(continuation) }
                    return state.stopped
                }
                if stopped { continuation.resume() }
            }
            return .dropConnection
        }
        return .json(404, #"{"errorMessage":"unknown extension route","errorType":"NotFound"}"#)
    }

    private func next() async -> ServerReply {
        let invocation: PendingInvocation? = await withCheckedContinuation { continuation in
            let ready: (invocation: PendingInvocation?, now: Bool) = state.withLock { state in
                if state.stopped { return (nil, true) }
                if !state.queue.isEmpty { return (state.queue.removeFirst(), true) }
                state.waiters.append(continuation)
                return (nil, false)
            }
            if ready.now { continuation.resume(returning: ready.invocation) }
        }
        guard let invocation else { return .dropConnection }
        state.withLock { state in
            state.inFlight.insert(invocation.requestID)
            state.peakInFlight = max(state.peakInFlight, state.inFlight.count)
        }
        let (seconds, attoseconds) = invocation.timeout.components
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + seconds * 1000 + attoseconds / 1_000_000_000_000_000
        var headers = [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", invocation.requestID),
            ("Lambda-Runtime-Deadline-Ms", "\(deadline)"),
            ("Lambda-Runtime-Invoked-Function-Arn", RuntimeAPIServer.functionARN),
        ]
        if let trace = invocation.traceID { headers.append(("Lambda-Runtime-Trace-Id", trace)) }
        if let context = invocation.clientContext { headers.append(("Lambda-Runtime-Client-Context", context)) }
        if let identity = invocation.cognitoIdentity { headers.append(("Lambda-Runtime-Cognito-Identity", identity)) }
        if let tenant = invocation.tenantID { headers.append(("Lambda-Runtime-Aws-Tenant-Id", tenant)) }
        return .respond(status: 200, headers: headers, body: invocation.event)
    }

    private func record(_ request: RecordedRequest, requestID: String, route: RuntimeAPIRoute) -> ServerReply {
        state.withLock { state in
            guard state.inFlight.contains(requestID) else {
                return .json(400, #"{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}"#)
            }
            if route == .response && request.body.count > RuntimeAPIServer.maxResponseBytes {
                return .json(413, #"{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}"#)
            }
            state.inFlight.remove(requestID)
            state.results[requestID] = route == .response
                ? .response(request.body)
                : .error(type: request.header("Lambda-Runtime-Function-Error-Type"), body: request.body)
            return .json(202, #"{"status":"OK"}"#)
        }
    }
}

/// Bounded waiting for something another task produces.
public enum Polling {
    public static func until<T>(timeout: Duration, what: String, _ read: () -> T?) async throws -> T {
        let clock = ContinuousClock()
        let end = clock.now + timeout
        while clock.now < end {
            if let value = read() { return value }
            try await Task.sleep(for: .milliseconds(2))
        }
        if let value = read() { return value }
        throw RuntimeAPIServerError(description: "timed out after \(timeout) waiting for \(what)")
    }
}
