import HTTP
import Retrying

/// S3's HeadObject over one HTTP connection, signed with the configuration's credentials.
public struct S3Client {
    private let connection: AWSConnection

    /// - Parameter transport: kept for every call, so its keep-alive connection is reused.
    public init(configuration: AWSConfiguration, transport: any HTTPTransport, timeout: Duration = .seconds(10)) {
        connection = AWSConnection(configuration: configuration, transport: transport, timeout: timeout)
    }

    /// HEADs `key` (already URL-decoded, as S3 stores it) in `bucket`, or one version of it.
    public func headObject(bucket: String, key: String, versionID: String? = nil) -> HeadObjectResult {
        let request: HTTPRequest
        do {
            request = try Self.headObjectRequest(bucket: bucket, key: key, versionID: versionID, configuration: connection.configuration, timeout: connection.timeout)
        } catch {
            return .failed(error)
        }
        do {
            let response = try connection.transport.send(request)
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
