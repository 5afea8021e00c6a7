/// Writes small JSON documents of a fixed shape (error reports, log lines, the notifier's webhook
/// body and response) straight into a byte buffer: no encoder, no intermediate `String`s. Cheaper
/// than `JSONEncoder` (Benchmarks/FINDINGS.md), and it keeps Foundation out of the runtime.
public enum JSONText {
    /// Appends JSON text written by us, e.g. `{"stackTrace":[]}`, as is.
    @inlinable
    public static func appendRaw(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends `value` as a JSON string literal (RFC 8259 §7), quotes included. Escapes what JSON
    /// requires plus DEL and U+2028/U+2029 (which break JavaScript consumers that `eval` lines).
    public static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        value.withUTF8Bytes { utf8 in
            // Almost every string needs no escaping: copy it whole.
            if mayNeedEscaping(utf8) {
                appendEscaped(utf8, to: &out)
            } else {
                out.append(contentsOf: utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var previous2: UInt8 = 0
        var previous1: UInt8 = 0
        for byte in utf8 {
            defer { (previous2, previous1) = (previous1, byte) }
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])  // \"
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])  // \\
            case UInt8(ascii: "\n"): out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20, 0x7F: appendUnicodeEscape(UInt16(byte), to: &out)
            case 0xA8...0xA9 where previous2 == 0xE2 && previous1 == 0x80:
                // U+2028/U+2029 arrive as E2 80 A8/A9: take back the two bytes already copied.
                out.removeLast(2)
                appendUnicodeEscape(0x2000 | UInt16(byte - 0xA8 + 0x28), to: &out)
            default: out.append(byte)
            }
        }
    }

    /// Whether any byte is a quote, backslash, C0 control, DEL, or E2 (the lead byte of U+2028 and
    /// U+2029): eight bytes per step, as the webhook body and every log line pass through here.
    private static func mayNeedEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        if let base = utf8.baseAddress.map(UnsafeRawPointer.init) {
            while index + 8 <= utf8.count {
                let word = ByteWords.load(base, at: index)
                let flags = ByteWords.equal(word, 0x22) | ByteWords.equal(word, 0x5C) | ByteWords.equal(word, 0x7F)
                    | ByteWords.equal(word, 0xE2) | ByteWords.below(word, 0x20)
                if flags & ByteWords.highBits != 0 { return true }
                index += 8
            }
        }
        while index < utf8.count {
            let byte = utf8[index]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 || byte == 0x7F || byte == 0xE2 { return true }
            index += 1
        }
        return false
    }

    private static func appendUnicodeEscape(_ unit: UInt16, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) {
            let nibble = UInt8(truncatingIfNeeded: unit >> UInt16(shift) & 0xF)
            out.append(ASCII.hexDigit(nibble, uppercase: false))
        }
    }

    /// Appends the decimal digits of `value`.
    public static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            out.append(contentsOf: digits[start...])
        }
    }

    /// Appends `"name":` and the value: a string, or `null`.
    public static func appendMember(_ name: StaticString, _ value: String?, to out: inout [UInt8], first: Bool = false) {
        appendName(name, to: &out, first: first)
        if let value { appendString(value, to: &out) } else { appendRaw("null", to: &out) }
    }

    /// Appends `"name":` and the value: an integer, or `null`.
    public static func appendMember(_ name: StaticString, _ value: Int64?, to out: inout [UInt8], first: Bool = false) {
        appendName(name, to: &out, first: first)
        if let value { appendInteger(value, to: &out) } else { appendRaw("null", to: &out) }
    }

    /// Member names are our own literals: plain ASCII that needs no escaping.
    private static func appendName(_ name: StaticString, to out: inout [UInt8], first: Bool) {
        if !first { out.append(UInt8(ascii: ",")) }
        out.append(UInt8(ascii: "\""))
        appendRaw(name, to: &out)
        out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }
}

extension JSONText {
    /// Appends a number rounded to three decimals (e.g. a latency
    /// in milliseconds to the microsecond): `12.5` → `12.500`. Not-finite values become `0`, which
    /// JSON has no other way to write.
    public static func appendMilli(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite, abs(value) < 9e15 else { return out.append(UInt8(ascii: "0")) }
        let thousandths = Int64((value * 1000).rounded())
        if thousandths < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = thousandths.magnitude
        appendInteger(Int64(magnitude / 1000), to: &out)
        out.append(UInt8(ascii: "."))
        let fraction = magnitude % 1000
        out.append(UInt8(ascii: "0") + UInt8(fraction / 100))
        out.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
        out.append(UInt8(ascii: "0") + UInt8(fraction % 10))
    }
}
