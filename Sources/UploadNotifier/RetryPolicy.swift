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
        guard let value = value?.trimmingCharacters() , !value.isEmpty else { return nil }
        // Digits by byte: a digit followed by a combining mark is one Character, which would pass
        // a Character comparison with "0"..."9" (found by the FuzzRetryAfter target).
        if value.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            return Int64(value).map { .seconds($0) } ?? .seconds(Int64.max / 2)
        }
        guard let date = HTTPDate.parse(value) else { return nil }
        let (wait, overflow) = date.subtractingReportingOverflow(nowSeconds)
        return .seconds(overflow ? (date > nowSeconds ? Int64.max / 2 : 0) : max(0, wait))
    }
}

/// HTTP-date in the three forms RFC 9110 §5.6.7 obliges recipients to accept:
/// `Sun, 06 Nov 1994 08:49:37 GMT`, `Sunday, 06-Nov-94 08:49:37 GMT`, `Sun Nov  6 08:49:37 1994`.
enum HTTPDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Unix seconds, or nil when the text is none of the three forms.
    static func parse(_ text: String) -> Int64? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init)
        let day: String, month: String, year: String, time: String
        switch tokens.count {
        case 6 where tokens[5] == "GMT":
            (day, month, year, time) = (tokens[1], tokens[2], tokens[3], tokens[4])
        case 5:
            (month, day, time, year) = (tokens[1], tokens[2], tokens[3], tokens[4])
        default:
            return nil
        }
        let clock = time.split(separator: ":")
        // Four-digit (or two-digit) years only: the backend's header must not be able to overflow the
        // day arithmetic below.
        guard year.utf8.count == 4 || year.utf8.count == 2,
            let monthIndex = months.firstIndex(of: month), var yearNumber = Int64(year), let dayNumber = Int64(day),
            clock.count == 3, let hour = Int64(clock[0]), let minute = Int64(clock[1]), let second = Int64(clock[2]),
            (1...31).contains(dayNumber), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        if year.count == 2 { yearNumber += yearNumber < 70 ? 2000 : 1900 }
        return daysFromCivil(year: yearNumber, month: Int64(monthIndex + 1), day: dayNumber) * 86_400
            + hour * 3600 + minute * 60 + second
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension String {
    func trimmingCharacters() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
