@testable import HTTP
import LocalLambda
import Testing

@Suite("HTTPClient against a loopback server")
struct HTTPClientTests {
    @Test func getReturnsStatusHeadersAndBody() async throws {
        let server = try await LoopbackHTTPServer { request in
            .respond(status: 200, headers: [("X-Echo-Path", request.uri), ("Content-Type", "text/plain")], body: Array("hello".utf8))
        }
        defer { Task { await server.shutdown() } }
        let response = try await send(HTTPRequest(url: server.baseURL + "/a?b=c")).get()
        #expect(response.status == 200)
        #expect(response.headers.value(for: "x-echo-path") == "/a?b=c")
        #expect(response.headers.value(for: "CONTENT-TYPE") == "text/plain")
        #expect(response.body == Array("hello".utf8))
    }

    @Test func postSendsExactBodyAndHeadersWithoutExpectContinue() async throws {
        let seen = Recorder()
        let server = try await LoopbackHTTPServer { request in
            seen.append(request)
            return .respond(status: 201)
        }
        defer { Task { await server.shutdown() } }
        // Over 1 KiB, with NUL bytes: libcurl would otherwise send "Expect: 100-continue".
        let body: [UInt8] = (0..<5000).map { UInt8($0 % 256) }
        let response = try await send(HTTPRequest(method: "POST", url: server.baseURL + "/hook", headers: [HTTPHeader("X-Key", "v")], body: body)).get()
        #expect(response.status == 201)
        let request = try #require(seen.requests.first)
        #expect(request.method == "POST")
        #expect(request.body == body)
        #expect(request.header("x-key") == "v")
        #expect(request.header("expect") == nil)
    }

    @Test func reusesOneKeepAliveConnectionAcrossRequests() async throws {
        let server = try await LoopbackHTTPServer { _ in .respond(status: 200, body: Array("ok".utf8)) }
        defer { Task { await server.shutdown() } }
        let statuses = try await runBlocking { () throws(HTTPError) -> [Int] in
            let client = try HTTPClient()
            var statuses: [Int] = []
            for _ in 0..<5 { statuses.append(try client.send(HTTPRequest(method: "POST", url: server.baseURL + "/x", body: [1])).status) }
            return statuses
        }
        #expect(statuses == [200, 200, 200, 200, 200])
        #expect(server.connectionCount == 1)
    }

    @Test func oneClientSwitchesMethodsWithoutCarryingState() async throws {
        // Options are set once per client; per request only URL, limits, headers and method change.
        let seen = Recorder()
        let server = try await LoopbackHTTPServer { request in
            seen.append(request)
            return .respond(status: 200, headers: [("X-Seen", request.method + " " + request.uri)], body: request.body)
        }
        defer { Task { await server.shutdown() } }
        let requests = [
            HTTPRequest(method: "POST", url: server.baseURL + "/a", headers: [HTTPHeader("X-Only-Here", "1")], body: Array("one".utf8)),
            HTTPRequest(url: server.baseURL + "/b"),
            HTTPRequest(method: "PUT", url: server.baseURL + "/c", body: Array("three".utf8)),
            HTTPRequest(method: "POST", url: server.baseURL + "/d", body: []),
            HTTPRequest(url: server.baseURL + "/e"),
        ]
        let responses = try await runBlocking { () throws(HTTPError) -> [HTTPResponse] in
            let client = try HTTPClient()
            var responses: [HTTPResponse] = []
            for request in requests { responses.append(try client.send(request)) }
            return responses
        }
        #expect(seen.requests.map { "\($0.method) \($0.uri) \($0.body.count)" } == ["POST /a 3", "GET /b 0", "PUT /c 5", "POST /d 0", "GET /e 0"])
        #expect(seen.requests.map { $0.header("x-only-here") } == ["1", nil, nil, nil, nil])
        #expect(responses.map { $0.headers.value(for: "x-seen") } == ["POST /a", "GET /b", "PUT /c", "POST /d", "GET /e"])
        #expect(responses.map { String(decoding: $0.body, as: UTF8.self) } == ["one", "", "three", "", ""])
        #expect(responses.allSatisfy { $0.headers.count >= 2 }, "each response keeps only its own headers")
        #expect(responses[0].headers.all.contains(HTTPHeader("X-Seen", "POST /a")))
    }

    @Test func parsedURLsAreReusedEvictedAndNeverMixedUp() async throws {
        // The client keeps a few parsed URLs; more distinct ones than it keeps, repeats, and one libcurl
        // cannot parse must each reach exactly the path asked for.
        let seen = Recorder()
        let server = try await LoopbackHTTPServer { request in
            seen.append(request)
            return .respond(status: 200)
        }
        defer { Task { await server.shutdown() } }
        let paths = ["/next", "/hook", "/r/1", "/next", "/hook", "/r/2", "/r/3", "/r/4", "/r/5", "/next", "/hook?x=1", "/hook"]
        let outcome = await runBlocking { () -> ([String], Bool) in
            guard let client = try? HTTPClient() else { return ([], false) }
            var statuses: [String] = []
            for (index, path) in paths.enumerated() {
                let status = (try? client.send(HTTPRequest(url: server.baseURL + path)).status).map(String.init) ?? "error"
                statuses.append(status)
                if index == 5 { _ = try? client.send(HTTPRequest(url: "ht!tp://")) }
            }
            let badRejected = (try? client.send(HTTPRequest(url: "http://[::1"))) == nil
            return (statuses, badRejected)
        }
        #expect(outcome.0 == Array(repeating: "200", count: paths.count))
        #expect(outcome.1, "an unparsable URL is an error, not the previous URL again")
        #expect(seen.requests.map(\.uri) == paths)
    }

    @Test func aResponseBodyOverTheLimitIsATransportError() async throws {
        let server = try await LoopbackHTTPServer { _ in .respond(status: 200, body: Array(repeating: 65, count: 100_000)) }
        defer { Task { await server.shutdown() } }
        let result = await send(HTTPRequest(url: server.baseURL, maximumResponseBytes: 10_000))
        guard case .failure(.transport(let detail)) = result else {
            Issue.record("expected a transport error, got \(result)")
            return
        }
        #expect(detail == "the response body is larger than 10000 bytes")
        let within = try await send(HTTPRequest(url: server.baseURL, maximumResponseBytes: 100_000)).get()
        #expect(within.body.count == 100_000)
    }

    @Test func neverFollowsRedirects() async throws {
        let seen = Recorder()
        let server = try await LoopbackHTTPServer { request in
            seen.append(request)
            return .respond(status: 302, headers: [("Location", "http://127.0.0.1:9/elsewhere")])
        }
        defer { Task { await server.shutdown() } }
        let response = try await send(HTTPRequest(method: "POST", url: server.baseURL + "/")).get()
        #expect(response.status == 302)
        #expect(seen.requests.count == 1)
    }

    @Test func totalTimeoutIsATimeoutError() async throws {
        let server = try await LoopbackHTTPServer { _ in
            try? await Task.sleep(for: .seconds(3))
            return .respond(status: 200)
        }
        defer { Task { await server.shutdown() } }
        let result = await send(HTTPRequest(url: server.baseURL, timeout: .milliseconds(200)))
        guard case .failure(.timedOut) = result else {
            Issue.record("expected a timeout, got \(result)")
            return
        }
    }

    @Test func closedPortIsAConnectFailure() async throws {
        let server = try await LoopbackHTTPServer { _ in .respond(status: 200) }
        let port = server.port
        await server.shutdown()
        let result = await send(HTTPRequest(url: "http://127.0.0.1:\(port)/"))
        guard case .failure(.connectFailed) = result else {
            Issue.record("expected a connect failure, got \(result)")
            return
        }
    }

    @Test func droppedConnectionIsATransportError() async throws {
        let server = try await LoopbackHTTPServer { _ in .dropConnection }
        defer { Task { await server.shutdown() } }
        let result = await send(HTTPRequest(method: "POST", url: server.baseURL, body: [1]))
        guard case .failure(.transport) = result else {
            Issue.record("expected a transport error, got \(result)")
            return
        }
    }

    @Test func headerWithLineBreakIsRefusedBeforeSending() async throws {
        let result = await send(HTTPRequest(url: "http://127.0.0.1:9/", headers: [HTTPHeader("X-Bad", "a\r\nInjected: 1")]))
        guard case .failure(.invalidRequest) = result else {
            Issue.record("expected invalidRequest, got \(result)")
            return
        }
    }

    @Test func malformedURLIsAnInvalidRequest() async throws {
        let result = await send(HTTPRequest(url: "ht!tp://"))
        guard case .failure(let error) = result, case .invalidRequest = error else {
            Issue.record("expected invalidRequest, got \(result)")
            return
        }
    }
}

/// Sends on a fresh client, off the cooperative pool.
func send(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPError> {
    await runBlocking { () -> Result<HTTPResponse, HTTPError> in
        Result { () throws(HTTPError) in try HTTPClient().send(request) }
    }
}

/// Collects what a responder saw, across the server's tasks.
final class Recorder: @unchecked Sendable {
    private let lock = NSLockLike()
    private var stored: [RecordedRequest] = []

    func append(_ request: RecordedRequest) { lock.locked { stored.append(request) } }
    var requests: [RecordedRequest] { lock.locked { stored } }
}

import Threads

final class NSLockLike: Sendable {
    private let mutex = Locked(())
    func locked<T>(_ body: () -> T) -> T { mutex.withLock { _ in body() } }
}

@Suite struct HeaderLookupTests {
    @Test func namesMatchIgnoringASCIICaseOnly() {
        let headers = [HTTPHeader("Content-Type", "a"), HTTPHeader("X-Amzn-Trace-Id", "b"), HTTPHeader("x-@", "c")]
        #expect(headers.value(for: "content-type") == "a")
        #expect(headers.value(for: "X-AMZN-TRACE-ID") == "b")
        #expect(headers.value(for: "x-`") == nil)
        #expect(headers.value(for: "Content-Typ") == nil)
        #expect(headers.value(for: "Content-Types") == nil)
    }

    @Test func responseHeadersKeepTheirOrderAndFirstValueWins() {
        var headers = HTTPHeaders([HTTPHeader("A", "1"), HTTPHeader("b", "2"), HTTPHeader("a", "3")])
        #expect(headers.value(for: "a") == "1")
        #expect(headers.all == [HTTPHeader("A", "1"), HTTPHeader("b", "2"), HTTPHeader("a", "3")])
        let field = Array("Retry-After:\t 9 \r\n".utf8), blank = Array("\r\n".utf8), noColon = Array("garbage\r\n".utf8)
        field.withUnsafeBufferPointer { line in headers.append(line: line) }
        noColon.withUnsafeBufferPointer { line in headers.append(line: line) }
        blank.withUnsafeBufferPointer { line in headers.append(line: line) }
        #expect(headers.value(for: "retry-after") == "9")
        #expect(headers.count == 4)
        headers.removeAll()
        #expect(headers.count == 0 && headers.value(for: "a") == nil)
    }

    @Test func responseHeaderValuesAreTrimmed() async throws {
        let server = try await LoopbackHTTPServer { _ in .respond(status: 200, headers: [("Retry-After", "  7\t")]) }
        defer { Task { await server.shutdown() } }
        let response = try await send(HTTPRequest(url: server.baseURL)).get()
        #expect(response.headers.value(for: "retry-after") == "7")
    }
}
