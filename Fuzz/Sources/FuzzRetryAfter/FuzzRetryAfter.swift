// `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date in any of the three forms §5.6.7
// obliges recipients to accept, through `RetryPolicy.retryAfter(_:nowSeconds:)`.
//
// Input: text lines `now (Unix seconds)`, then the header value (the rest).
import FuzzSupport
import Retrying
import UploadNotifier

#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let lines = fields(inputBytes(data, size), limit: 2)
    let now = lines[0].flatMap { Int64(text($0)) } ?? 1_700_000_000
    invariant(RetryPolicy.retryAfter(nil, nowSeconds: now) == nil, "a pause without a Retry-After header")
    guard let valueBytes = lines[1] else { return 0 }
    let value = text(valueBytes)

    let pause = RetryPolicy.retryAfter(value, nowSeconds: now)
    if let pause { invariant(pause >= .zero, "a negative pause \(pause) for \(debug(value))") }
    // Optional whitespace around a field value is not part of it.
    invariant(RetryPolicy.retryAfter(" \t" + value + "\t ", nowSeconds: now) == pause, "surrounding whitespace changed the pause")

    let bytes = Array(value.utf8)
    var core = bytes[...]
    while let first = core.first, first == 0x20 || first == 0x09 { core = core.dropFirst() }
    while let last = core.last, last == 0x20 || last == 0x09 { core = core.dropLast() }
    if !core.isEmpty && core.allSatisfy({ (0x30...0x39).contains($0) }) {
        // delay-seconds: the number, saturated when it does not fit.
        let expected: Duration = Int64(text(core)).map { .seconds($0) } ?? .seconds(Int64.max / 2)
        invariant(pause == expected, "delay-seconds \(debug(value)) gave \(String(describing: pause)), expected \(expected)")
        return 0
    }

    // Anything else is an HTTP-date or nothing: a date's pause shrinks as now advances, never a
    // delay-seconds one's. (A non-numeric value read as delay-seconds would not move.)
    if let atZero = RetryPolicy.retryAfter(value, nowSeconds: 0), atZero > .zero {
        let atOne = RetryPolicy.retryAfter(value, nowSeconds: 1)
        invariant(atOne == atZero - .seconds(1), "\(debug(value)) is not delay-seconds but its pause does not follow the clock: \(atZero) at 0, \(String(describing: atOne)) at 1")
    }
    // The IMF-fixdate form checked against glibc's timegm.
    if let expected = imfFixdate(core), expected > 0 {
        invariant(RetryPolicy.retryAfter(value, nowSeconds: 0) == .seconds(expected), "\(debug(value)) is \(expected) by timegm, got \(String(describing: RetryPolicy.retryAfter(value, nowSeconds: 0)))")
    }
    return 0
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` exactly (any day name), as Unix seconds by `timegm`.
func imfFixdate(_ bytes: ArraySlice<UInt8>) -> Int64? {
    let text = Array(bytes)
    guard text.count == 29, text[3] == UInt8(ascii: ","), text[4] == 0x20, text[7] == 0x20, text[11] == 0x20,
        text[16] == 0x20, text[19] == UInt8(ascii: ":"), text[22] == UInt8(ascii: ":"), text[25] == 0x20,
        text[26...].elementsEqual("GMT".utf8), text[0..<3].allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
    else { return nil }
    func number(_ range: Range<Int>) -> Int32? {
        guard text[range].allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return text[range].reduce(Int32(0)) { $0 * 10 + Int32($1 - 0x30) }
    }
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    guard let month = months.firstIndex(where: { text[8..<11].elementsEqual($0.utf8) }),
        let day = number(5..<7), let year = number(12..<16), let hour = number(17..<19), let minute = number(20..<22),
        let second = number(23..<25), (1...31).contains(day), hour <= 23, minute <= 59, second <= 60
    else { return nil }
    var parts = tm()
    parts.tm_year = year - 1900
    parts.tm_mon = Int32(month)
    parts.tm_mday = day
    parts.tm_hour = hour
    parts.tm_min = minute
    parts.tm_sec = second
    return Int64(timegm(&parts))
}

func debug(_ value: String) -> String {
    "\"" + value.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined() + "\""
}
