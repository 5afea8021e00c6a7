import HTTP
import Retrying

/// What S3's HeadObject says of an object: the one result type of a lookup, from the client up to
/// the notifier (which retries within its deadline and reports the last failure).
public enum HeadObjectResult: Sendable, Equatable {
    case found(S3ObjectHead)
    /// 404: no such key or no such bucket (a HEAD response has no body to tell which), or 405 with
    /// `x-amz-delete-marker: true`: the version asked for is a delete marker.
    case notFound
    case failed(S3Failure)
}

/// An object's headers that the notifier uses.
public struct S3ObjectHead: Sendable, Equatable {
    public struct Metadata: Sendable, Equatable {
        /// Lower-cased, without "x-amz-meta-".
        public var name: String
        /// As S3 sends it: a value that was not ASCII arrives RFC 2047-encoded ("=?UTF-8?B?…?=").
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var contentType: String?
    public var contentLength: Int?
    public var eTag: String?
    public var versionID: String?
    public var lastModified: String?
    /// The user metadata (`x-amz-meta-*` headers) in the order S3 sent them.
    public var userMetadata: [Metadata]

    public init(
        contentType: String? = nil, contentLength: Int? = nil, eTag: String? = nil, versionID: String? = nil,
        lastModified: String? = nil, userMetadata: [Metadata] = []
    ) {
        self.contentType = contentType
        self.contentLength = contentLength
        self.eTag = eTag
        self.versionID = versionID
        self.lastModified = lastModified
        self.userMetadata = userMetadata
    }
}

/// A HeadObject that got no usable answer.
public struct S3Failure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// S3 answered with this status. A HEAD response has no body, so no S3 error code: 403 is
        /// access denied (or a bad signature), 301/400 often the wrong region, 503 SlowDown.
        case status(Int)
        case transport(HTTPError)
        /// Refused before sending (an empty bucket name or key).
        case invalidRequest(String)
        /// Not sent: the caller's deadline left no time for it. `after` is the failure before, if any.
        case noTimeLeft(after: String?)
    }

    public var bucket: String
    public var key: String
    public var versionID: String?
    public var reason: Reason
    /// `x-amz-bucket-region`, which S3 sends with 301, 400 and 403 answers: where the bucket is.
    public var bucketRegion: String?
    /// `x-amz-request-id`, for AWS support.
    public var requestID: String?

    public init(bucket: String, key: String, versionID: String?, reason: Reason, bucketRegion: String? = nil, requestID: String? = nil) {
        self.bucket = bucket
        self.key = key
        self.versionID = versionID
        self.reason = reason
        self.bucketRegion = bucketRegion
        self.requestID = requestID
    }

    /// Whether the same request may succeed later: S3's 5xx (503 SlowDown), 429, 425 and 408, and a
    /// request that got no answer. A 403, 400 or 301 stays until the configuration changes.
    public var isTransient: Bool {
        switch reason {
        case .status(let status): RetryPolicy.isRetryable(status: status)
        case .transport(let error): AWSRetry.isTransient(error)
        case .invalidRequest, .noTimeLeft: false
        }
    }

    public var description: String {
        let object = "s3://\(bucket)/\(key)" + (versionID.map { " version \($0)" } ?? "")
        let what: String = switch reason {
        case .status(403): "access denied (HTTP 403): check that the function's role may s3:GetObject it, and the bucket policy"
        case .status(let status) where (status == 301 || status == 400) && bucketRegion != nil:
            "HTTP \(status): the bucket is in region \(bucketRegion ?? ""); configure that region"
        case .status(let status): "HTTP \(status)"
        case .transport(let error): "no answer: \(error)"
        case .invalidRequest(let detail): "not sent: \(detail)"
        case .noTimeLeft(let after): (after.map { "\($0); " } ?? "") + "no time left before the invocation deadline"
        }
        return "HeadObject \(object): \(what)" + (requestID.map { " (request id \($0))" } ?? "")
    }
}

/// S3's HeadObject over one HTTP connection, signed with the configuration's credentials.
public struct S3Client {
    public let configuration: AWSConfiguration
    public let timeout: Duration
    private let transport: any HTTPTransport

    /// - Parameter transport: kept for every call, so its keep-alive connection is reused.
    public init(configuration: AWSConfiguration, transport: any HTTPTransport, timeout: Duration = .seconds(10)) {
        self.configuration = configuration
        self.transport = transport
        self.timeout = timeout
    }

    /// HEADs `key` (already URL-decoded, as S3 stores it) in `bucket`, or one version of it.
    public func headObject(bucket: String, key: String, versionID: String? = nil) -> HeadObjectResult {
        let request: HTTPRequest
        do {
            request = try Self.headObjectRequest(bucket: bucket, key: key, versionID: versionID, configuration: configuration, timeout: timeout)
        } catch {
            return .failed(error)
        }
        do {
            let response = try transport.send(request)
            return Self.headObjectResult(response, bucket: bucket, key: key, versionID: versionID)
        } catch {
            return .failed(S3Failure(bucket: bucket, key: key, versionID: versionID, reason: .transport(error)))
        }
    }

    /// SHA-256 of the empty body. S3 requires x-amz-content-sha256 on every request, and libcurl
    /// 7.88.1 does not add it (it only reads it, as the payload hash, if the request has it); being
    /// one of our headers, it is signed.
    static let emptyBodySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    static func headObjectRequest(
        bucket: String, key: String, versionID: String?, configuration: AWSConfiguration, timeout: Duration = .seconds(10)
    ) throws(S3Failure) -> HTTPRequest {
        func refuse(_ detail: String) -> S3Failure { S3Failure(bucket: bucket, key: key, versionID: versionID, reason: .invalidRequest(detail)) }
        guard !bucket.isEmpty, !bucket.contains(where: { $0 == "/" }) else { throw refuse("the bucket name is empty or contains '/'") }
        guard !key.isEmpty else { throw refuse("the key is empty") }
        let endpoint = configuration.s3Endpoint
        let encodedKey = URIEncoding.encode(key, keepingSlashes: true)
        var url: String
        if !endpoint.isOverride && isVirtualHostable(bucket) {
            url = "\(endpoint.scheme)://\(bucket).\(endpoint.authority)/\(encodedKey)"
        } else {
            url = "\(endpoint.url)/\(URIEncoding.encode(bucket, keepingSlashes: false))/\(encodedKey)"
        }
        if let versionID {
            url += "?versionId=" + URIEncoding.encode(versionID, keepingSlashes: false)
        }
        return HTTPRequest(
            method: "HEAD", url: url, headers: [HTTPHeader("x-amz-content-sha256", emptyBodySHA256)],
            timeout: timeout, awsSigV4: configuration.signing(for: .s3))
    }

    /// Virtual-hosted style (BUCKET.s3.REGION.amazonaws.com) needs a bucket name that is one DNS
    /// label: 3–63 lower-case letters, digits and hyphens, starting and ending with a letter or digit.
    /// A name with dots would be several labels, which the certificate's *.s3.REGION.amazonaws.com
    /// does not cover; the SDKs address those path-style, as this does.
    static func isVirtualHostable(_ bucket: String) -> Bool {
        let bytes = Array(bucket.utf8)
        func isAlphanumeric(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        guard (3...63).contains(bytes.count), isAlphanumeric(bytes[0]), isAlphanumeric(bytes[bytes.count - 1]) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    static func headObjectResult(_ response: HTTPResponse, bucket: String, key: String, versionID: String?) -> HeadObjectResult {
        let headers = response.headers
        switch response.status {
        case 200:
            let prefix = "x-amz-meta-"
            var metadata: [S3ObjectHead.Metadata] = []
            for header in headers.all where header.name.utf8.count > prefix.utf8.count {
                let name = header.name.lowercased()
                if name.hasPrefix(prefix) { metadata.append(.init(name: String(name.dropFirst(prefix.count)), value: header.value)) }
            }
            return .found(S3ObjectHead(
                contentType: headers.value(for: "Content-Type"),
                contentLength: headers.value(for: "Content-Length").flatMap { Int($0) },
                eTag: headers.value(for: "ETag"),
                versionID: headers.value(for: "x-amz-version-id"),
                lastModified: headers.value(for: "Last-Modified"),
                userMetadata: metadata))
        case 404:
            return .notFound
        case 405 where headers.value(for: "x-amz-delete-marker") == "true":
            return .notFound
        default:
            return .failed(S3Failure(
                bucket: bucket, key: key, versionID: versionID, reason: .status(response.status),
                bucketRegion: headers.value(for: "x-amz-bucket-region"), requestID: headers.value(for: "x-amz-request-id")))
        }
    }
}

/// Which failures without an answer are worth another try, shared by both services; an answer's
/// status is judged by ``RetryPolicy/isRetryable(status:)``.
enum AWSRetry {
    /// No answer: worth another try, unless the request itself was refused before sending.
    static func isTransient(_ error: HTTPError) -> Bool {
        if case .invalidRequest = error { return false }
        return true
    }
}
