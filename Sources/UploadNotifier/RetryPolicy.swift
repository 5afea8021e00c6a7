import MiniFoundation

/// When a webhook attempt is worth repeating, and how long to wait first. Pure: no clock, no I/O.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration = .milliseconds(250)
    public var maxDelay: Duration = .seconds(8)

    public init(maxAttempts: Int) {
        self.maxAttempts = maxAttempts
    }

    /// 408, 425, 429 and 5xx may succeed later; any other status will not.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 425 || status == 429 || (500...599).contains(status)
    }

    /// Exponential backoff with full jitter (a uniform pick up to the doubled ceiling), so many
    /// functions retrying one struggling backend spread out instead of arriving in waves.
    /// - Parameter unit: a uniform random number in [0, 1).
    public func backoff(afterAttempt attempt: Int, unit: Double) -> Duration {
        let ceiling = min(maxDelay, baseDelay * (1 << min(attempt - 1, 20)))
        return ceiling * max(0, min(unit, 1))
    }

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
