import HTTP
import Retrying
import StrictJSON
import TextBytes

/// Why GetSecretValue gave no SecretString. Names the secret id and AWS's error type; never the
/// response body, which on success is the secret itself, nor AWS's message.
public struct SecretsManagerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// ResourceNotFoundException.
        case notFound
        /// AccessDeniedException: the role may not read the secret (or use its KMS key).
        case accessDenied
        /// DecryptionFailure: KMS could not decrypt it with the secret's key.
        case decryptionFailure
        /// The secret holds SecretBinary, not SecretString.
        case binarySecret
        /// A 200 answer that is not the documented JSON object.
        case malformedResponse(String)
        /// Any other error answer.
        case status(Int)
        case transport(HTTPError)
    }

    public var secretID: String
    public var reason: Reason
    /// AWS's error type ("ResourceNotFoundException"), from x-amzn-ErrorType or the body's `__type`.
    public var awsErrorType: String?

    public init(secretID: String, reason: Reason, awsErrorType: String? = nil) {
        self.secretID = secretID
        self.reason = reason
        self.awsErrorType = awsErrorType
    }

    /// Throttling, AWS's internal errors and no answer at all may pass; the rest needs a change.
    public var isTransient: Bool {
        if let awsErrorType, Self.transientTypes.contains(awsErrorType) { return true }
        switch reason {
        case .status(let status): return RetryPolicy.isRetryable(status: status)
        case .transport(let error): return AWSRetry.isTransient(error)
        case .notFound, .accessDenied, .decryptionFailure, .binarySecret, .malformedResponse: return false
        }
    }

    static let transientTypes: Set<String> = [
        "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "InternalServiceError",
        "InternalFailure", "ServiceUnavailable", "RequestTimeout", "RequestTimeoutException",
    ]

    public var description: String {
        let type = awsErrorType.map { " (\($0))" } ?? ""
        let what = switch reason {
        case .notFound: "no such secret\(type): check the id or ARN and the region"
        case .accessDenied: "access denied\(type): the function's role needs secretsmanager:GetSecretValue on it (and kms:Decrypt on its key)"
        case .decryptionFailure: "KMS could not decrypt it\(type): check the key policy of the secret's KMS key"
        case .binarySecret: "it holds a binary secret (SecretBinary), not a SecretString"
        case .malformedResponse(let detail): "unexpected answer: \(detail)"
        case .status(let status): "HTTP \(status)\(type)"
        case .transport(let error): "no answer: \(error)"
        }
        return "GetSecretValue \"\(secretID)\": \(what)"
    }
}
