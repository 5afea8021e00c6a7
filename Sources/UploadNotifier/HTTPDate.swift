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
