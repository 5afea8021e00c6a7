@testable import AWSClient
import HTTP
import Testing
import TestSupport

@Suite struct S3RequestTests {
    @Test func virtualHostedStyleForADNSCompatibleBucket() throws {
        let request = try S3Client.headObjectRequest(bucket: "audio-uploads", key: "in/voice memo.m4a", versionID: nil, configuration: configuration())
        #expect(request.method == "HEAD")
        #expect(request.url == "https://audio-uploads.s3.eu-west-1.amazonaws.com/in/voice%20memo.m4a")
        #expect(request.headers == [HTTPHeader("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")])
        #expect(request.body.isEmpty)
        #expect(request.awsSigV4 == (try configuration()).signing(for: .s3))
        #expect(request.awsSigV4?.credentials.sessionToken == lambdaEnvironment["AWS_SESSION_TOKEN"])
    }

    @Test(arguments: ["my.bucket", "ab", "Uppercase", "-leading", "trailing-", "under_score", String(repeating: "a", count: 64)])
    func pathStyleForBucketsThatAreNotOneDNSLabel(bucket: String) throws {
        let request = try S3Client.headObjectRequest(bucket: bucket, key: "k", versionID: nil, configuration: configuration())
        #expect(request.url == "https://s3.eu-west-1.amazonaws.com/\(URIEncoding.encode(bucket, keepingSlashes: false))/k")
    }

    @Test func pathStyleUnderAnyOverride() throws {
        let config = try configuration(["AWS_ENDPOINT_URL": "http://127.0.0.1:5000/base"])
        let request = try S3Client.headObjectRequest(bucket: "audio-uploads", key: "a/b", versionID: "v1", configuration: config)
        #expect(request.url == "http://127.0.0.1:5000/base/audio-uploads/a/b?versionId=v1")
    }

    @Test func keysAndVersionIdsAreEncodedOnceByAWSRules() throws {
        let cases: [(key: String, path: String)] = [
            ("a b+c%d", "a%20b%2Bc%25d"),
            ("dir/sub/file.m4a", "dir/sub/file.m4a"),
            ("ünïcödé/音声.wav", "%C3%BCn%C3%AFc%C3%B6d%C3%A9/%E9%9F%B3%E5%A3%B0.wav"),
            ("~unreserved-._~", "~unreserved-._~"),
            ("a/./b/../c", "a/./b/../c"),  // sent as is: libcurl keeps dot segments for signed requests
            ("//lead", "//lead"),
            ("?#&=;:@,$'()*!", "%3F%23%26%3D%3B%3A%40%2C%24%27%28%29%2A%21"),
            ("already%2Fencoded", "already%252Fencoded"),
        ]
        for (key, path) in cases {
            let request = try S3Client.headObjectRequest(bucket: "b-1", key: key, versionID: nil, configuration: configuration())
            #expect(request.url == "https://b-1.s3.eu-west-1.amazonaws.com/" + path, "key \(key)")
        }
        let versioned = try S3Client.headObjectRequest(bucket: "b-1", key: "k", versionID: "3/L4kqtJl+cgkk=a b", configuration: configuration())
        #expect(versioned.url == "https://b-1.s3.eu-west-1.amazonaws.com/k?versionId=3%2FL4kqtJl%2Bcgkk%3Da%20b")
    }

    @Test func anEmptyKeyOrBucketIsRefusedBeforeSending() throws {
        let config = try configuration()
        for (bucket, key) in [("", "k"), ("b/x", "k"), ("bucket", "")] {
            #expect(throws: S3Failure.self) { try S3Client.headObjectRequest(bucket: bucket, key: key, versionID: nil, configuration: config) }
        }
    }
}

@Suite struct S3ResponseTests {
    @Test func foundCarriesContentTypeAndOrderedLowerCasedMetadata() {
        let response = HTTPResponse(status: 200, headers: [
            HTTPHeader("Content-Type", "audio/mp4"), HTTPHeader("Content-Length", "12345"), HTTPHeader("ETag", "\"abc\""),
            HTTPHeader("x-amz-version-id", "v2"), HTTPHeader("X-Amz-Meta-Uploader-ID", "u-42"), HTTPHeader("x-amz-meta-", "empty name"),
            HTTPHeader("x-amz-meta-title", "=?UTF-8?B?w6k=?="), HTTPHeader("X-AMZ-META-Duration", "61"), HTTPHeader("x-amz-metadata-x", "no"),
            HTTPHeader("Last-Modified", "Tue, 01 Dec 2026 10:00:00 GMT"),
        ])
        let result = S3Client.headObjectResult(response, bucket: "b", key: "k", versionID: nil)
        let expected = S3ObjectHead(
            contentType: "audio/mp4", contentLength: 12345, eTag: "\"abc\"", versionID: "v2", lastModified: "Tue, 01 Dec 2026 10:00:00 GMT",
            userMetadata: [.init(name: "uploader-id", value: "u-42"), .init(name: "title", value: "=?UTF-8?B?w6k=?="), .init(name: "duration", value: "61")])
        #expect(result == .found(expected))
        #expect(expected.metadata("Uploader-ID") == "u-42")
        #expect(S3Client.headObjectResult(HTTPResponse(status: 200), bucket: "b", key: "k", versionID: nil) == .found(S3ObjectHead()))
    }

    @Test func notFoundIs404OrADeleteMarker() {
        #expect(S3Client.headObjectResult(HTTPResponse(status: 404), bucket: "b", key: "k", versionID: nil) == .notFound)
        let marker = HTTPResponse(status: 405, headers: [HTTPHeader("x-amz-delete-marker", "true")])
        #expect(S3Client.headObjectResult(marker, bucket: "b", key: "k", versionID: "v") == .notFound)
        guard case .failed = S3Client.headObjectResult(HTTPResponse(status: 405), bucket: "b", key: "k", versionID: nil) else {
            Issue.record("a 405 without a delete marker is a failure")
            return
        }
    }

    @Test(arguments: [(403, false), (400, false), (301, false), (500, true), (503, true), (429, true), (425, true), (408, true)])
    func failuresSayWhetherToRetry(status: Int, transient: Bool) {
        let response = HTTPResponse(status: status, headers: [HTTPHeader("x-amz-request-id", "R1"), HTTPHeader("x-amz-bucket-region", "us-east-2")])
        guard case .failed(let failure) = S3Client.headObjectResult(response, bucket: "b", key: "k", versionID: nil) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.reason == .status(status))
        #expect(failure.isTransient == transient)
        #expect(failure.requestID == "R1")
        #expect("\(failure)".contains("s3://b/k"))
        if status == 301 || status == 400 { #expect("\(failure)".contains("us-east-2")) }
        if status == 403 { #expect("\(failure)".contains("access denied")) }
    }

    @Test func transportFailuresAreTransientUnlessTheRequestWasRefused() {
        #expect(S3Failure(bucket: "b", key: "k", versionID: nil, reason: .transport(.connectFailed("x"))).isTransient)
        #expect(S3Failure(bucket: "b", key: "k", versionID: nil, reason: .transport(.timedOut("x"))).isTransient)
        #expect(!S3Failure(bucket: "b", key: "k", versionID: nil, reason: .transport(.invalidRequest("x"))).isTransient)
        #expect(!S3Failure(bucket: "b", key: "k", versionID: nil, reason: .invalidRequest("x")).isTransient)
    }
}

@Suite struct S3ClientTests {
    @Test func everyCallGoesThroughTheOneTransport() throws {
        let transport = ScriptedTransport([.success(HTTPResponse(status: 404)), .failure(.timedOut("slow"))])
        let client = S3Client(configuration: try configuration(), transport: transport)
        #expect(client.headObject(bucket: "b-1", key: "a") == .notFound)
        guard case .failed(let failure) = client.headObject(bucket: "b-1", key: "b", versionID: "v") else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.reason == .transport(.timedOut("slow")) && failure.isTransient && failure.versionID == "v")
        #expect(transport.sent.map(\.url) == ["https://b-1.s3.eu-west-1.amazonaws.com/a", "https://b-1.s3.eu-west-1.amazonaws.com/b?versionId=v"])
    }
}

extension S3ObjectHead {
    /// The first value of user metadata `name` (compared lower-cased, without the prefix).
    func metadata(_ name: String) -> String? {
        let wanted = name.lowercased()
        return userMetadata.first { $0.name == wanted }?.value
    }
}
