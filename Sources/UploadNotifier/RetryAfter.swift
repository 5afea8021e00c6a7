import Retrying
import TextBytes

extension RetryPolicy {
    /// The pause a `Retry-After` value asks for: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
    /// Nil when the header is absent or unreadable.
    public static func retryAfter(_ value: String?, nowSeconds: Int64) -> Duration? {
        guard let value = value?.trimmingSpacesAndTabs(), !value.isEmpty else { return nil }
        // Digits by byte (found by the FuzzRetryAfter target: a digit with a combining mark).
        if ASCII.isDigits(value) {
            return Int64(value).map { .seconds($0) } ?? .seconds(Int64.max / 2)
        }
        guard let date = HTTPDate.parse(value) else { return nil }
        let (wait, overflow) = date.subtractingReportingOverflow(nowSeconds)
        return .seconds(overflow ? (date > nowSeconds ? Int64.max / 2 : 0) : max(0, wait))
    }
}
