import HTTP
import Retrying

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
