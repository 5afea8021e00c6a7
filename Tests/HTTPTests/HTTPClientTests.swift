import HTTP
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

import Synchronization

final class NSLockLike: Sendable {
    private let mutex = Mutex(())
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

    @Test func responseHeaderValuesAreTrimmed() async throws {
        let server = try await LoopbackHTTPServer { _ in .respond(status: 200, headers: [("Retry-After", "  7\t")]) }
        defer { Task { await server.shutdown() } }
        let response = try await send(HTTPRequest(url: server.baseURL)).get()
        #expect(response.headers.value(for: "retry-after") == "7")
    }
}
