import AWSSigning
@testable import HTTP
import LocalLambda
import Testing

/// HEAD and AWS SigV4 on one reused handle: libcurl keeps every option across transfers, so what one
/// request sets must not reach the next.
@Suite("HTTPClient: HEAD and AWS SigV4")
struct HTTPClientSigningTests {
    static let signing = AWSSigV4(
            region: "eu-west-1", service: "s3",
            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "FQoGZXIvYXdzEXAMPLETOKEN=="))

    @Test func headReturnsHeadersWithoutWaitingForTheAnnouncedBody() async throws {
        let seen = Recorder()
        let server = try await LoopbackHTTPServer { request in
            seen.append(request)
            // A HEAD response announces the GET body's length; the server sends no body for HEAD.
            return .respond(status: 200, headers: [("X-Amz-Meta-Kind", "voice")], body: Array("hello".utf8))
        }
        defer { Task { await server.shutdown() } }
        let requests = [
            HTTPRequest(method: "POST", url: server.baseURL + "/a", body: Array("one".utf8)),
            // Within 2 s: as a custom method, libcurl would wait for the 5 bytes until the time limit.
            HTTPRequest(method: "HEAD", url: server.baseURL + "/b", timeout: .seconds(2)),
            HTTPRequest(url: server.baseURL + "/c"),
            HTTPRequest(method: "HEAD", url: server.baseURL + "/d", timeout: .seconds(2)),
            HTTPRequest(method: "PUT", url: server.baseURL + "/e", body: Array("three".utf8)),
        ]
        let responses = try await runBlocking { () throws(HTTPError) -> [HTTPResponse] in
            let client = try HTTPClient()
            var responses: [HTTPResponse] = []
            for request in requests { responses.append(try client.send(request)) }
            return responses
        }
        #expect(seen.requests.map { "\($0.method) \($0.uri) \($0.body.count)" } == ["POST /a 3", "HEAD /b 0", "GET /c 0", "HEAD /d 0", "PUT /e 5"])
        #expect(responses.map(\.status) == [200, 200, 200, 200, 200])
        #expect(responses.map { String(decoding: $0.body, as: UTF8.self) } == ["hello", "", "hello", "", "hello"])
        #expect(responses[1].headers.value(for: "content-length") == "5")
        #expect(responses[1].headers.value(for: "x-amz-meta-kind") == "voice")
        #expect(server.connectionCount == 1, "a HEAD leaves the connection reusable")
    }

    @Test func aHEADWithABodyIsRefused() async {
        let result = await send(HTTPRequest(method: "HEAD", url: "http://127.0.0.1:9/", body: [1]))
        guard case .failure(.invalidRequest) = result else {
            Issue.record("expected invalidRequest, got \(result)")
            return
        }
    }

    @Test func signedRequestsCarrySigV4AndTheNextUnsignedOneCarriesNothing() async throws {
        let seen = Recorder()
        let server = try await LoopbackHTTPServer { request in
            seen.append(request)
            return .respond(status: 200)
        }
        defer { Task { await server.shutdown() } }
        let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        var secretsManager = Self.signing
        secretsManager.service = "secretsmanager"
        secretsManager.credentials.sessionToken = nil
        let requests = [
            HTTPRequest(method: "HEAD", url: server.baseURL + "/bucket/a/./b/../c%2Fd", headers: [HTTPHeader("x-amz-content-sha256", emptySHA256)], awsSigV4: Self.signing),
            HTTPRequest(method: "HEAD", url: server.baseURL + "/bucket/a/./b/../c%2Fd"),
            HTTPRequest(
                method: "POST", url: server.baseURL + "/",
                headers: [HTTPHeader("X-Amz-Target", "secretsmanager.GetSecretValue"), HTTPHeader("Content-Type", "application/x-amz-json-1.1")],
                body: Array(#"{"SecretId":"s"}"#.utf8), awsSigV4: secretsManager),
            HTTPRequest(method: "POST", url: server.baseURL + "/", body: Array("x".utf8)),
            HTTPRequest(url: server.baseURL + "/plain"),
        ]
        _ = try await runBlocking { () throws(HTTPError) -> [HTTPResponse] in
            let client = try HTTPClient()
            var responses: [HTTPResponse] = []
            for request in requests { responses.append(try client.send(request)) }
            return responses
        }
        let seenRequests = seen.requests
        try #require(seenRequests.count == 5)
        let (s3, unsignedHead, secrets) = (seenRequests[0], seenRequests[1], seenRequests[2])

        // The path goes out as given (CURLU_PATH_AS_IS): S3 signs and resolves keys without removing
        // dot segments. Unsigned requests keep libcurl's RFC 3986 normalisation.
        #expect(s3.uri == "/bucket/a/./b/../c%2Fd")
        #expect(unsignedHead.uri == "/bucket/a/c%2Fd")

        // libcurl 7.88.1 signs host (with the port), its own x-amz-date and every header we set,
        // among them the session token and x-amz-content-sha256 (which it does not add for s3).
        let authorization = try #require(s3.header("authorization"))
        let date = try #require(s3.header("x-amz-date"))
        #expect(date.utf8.count == 16 && date.hasSuffix("Z") && date.dropFirst(8).first == "T")
        let prefix = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\(date.prefix(8))/eu-west-1/s3/aws4_request, "
            + "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature="
        #expect(authorization.hasPrefix(prefix), "\(authorization)")
        #expect(authorization.dropFirst(prefix.count).utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        #expect(authorization.utf8.count == prefix.utf8.count + 64)
        #expect(s3.header("x-amz-security-token") == Self.signing.credentials.sessionToken)
        #expect(s3.header("host") == "127.0.0.1:\(server.port)")
        #expect(s3.header("x-amz-content-sha256") == emptySHA256)

        // A signed POST: no "Expect:" line, which libcurl would have signed without sending it.
        let secretsAuthorization = try #require(secrets.header("authorization"))
        #expect(secretsAuthorization.contains("/eu-west-1/secretsmanager/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="))
        #expect(secrets.header("expect") == nil)
        #expect(secrets.header("x-amz-security-token") == nil)

        for unsigned in seenRequests[3...] + [unsignedHead] {
            #expect(unsigned.header("authorization") == nil, "\(unsigned.method) \(unsigned.uri)")
            #expect(unsigned.header("x-amz-date") == nil)
            #expect(unsigned.header("x-amz-security-token") == nil)
        }
        for request in seenRequests {
            for header in request.headers {
                #expect(!header.value.contains(Self.signing.credentials.secretAccessKey))
            }
        }
        #expect(server.connectionCount == 1, "signing does not cost a connection")
    }

    @Test func aRegionOrServiceLibcurlWouldMisreadIsRefused() async {
        for (region, service) in [("eu-west-1:x", "s3"), ("", "s3"), ("eu-west-1", "s3 x"), ("EU-WEST-1", "s3")] {
            let signing = AWSSigV4(
            region: region, service: service,
            credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret-value"))
            let result = await send(HTTPRequest(url: "http://127.0.0.1:9/", awsSigV4: signing))
            guard case .failure(.invalidRequest(let detail)) = result else {
                Issue.record("expected invalidRequest for \(region)/\(service), got \(result)")
                continue
            }
            #expect(!detail.contains("secret-value"))
        }
    }

    @Test func everyTextualFormRedactsTheSecretKeyAndToken() {
        let request = HTTPRequest(url: "https://example.com/", awsSigV4: Self.signing)
        var dumped = ""
        dump(request, to: &dumped)
        var dumpedSigning = ""
        dump(Self.signing, to: &dumpedSigning)
        let texts = [
            "\(Self.signing)", String(reflecting: Self.signing), "\(request)", String(reflecting: request), dumped, dumpedSigning,
        ]
        for text in texts {
            #expect(!text.contains(Self.signing.credentials.secretAccessKey), "\(text)")
            #expect(!text.contains(Self.signing.credentials.sessionToken!), "\(text)")
        }
        #expect("\(Self.signing)".contains("AKIDEXAMPLE"))
        #expect("\(Self.signing)".contains("eu-west-1"))
    }
}
