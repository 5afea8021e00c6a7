import HTTP
import Retrying

/// Which failures without an answer are worth another try, shared by both services; an answer's
/// status is judged by ``RetryPolicy/isRetryable(status:)``.
enum AWSRetry {
    /// No answer: worth another try, unless the request itself was refused before sending.
    static func isTransient(_ error: HTTPError) -> Bool {
        if case .invalidRequest = error { return false }
        return true
    }
}
