/// Byte-level questions about ASCII text.
public enum ASCII {
    /// The value of a hexadecimal digit (`0-9`, `a-f`, `A-F`), or nil for any other byte.
    @inlinable @inline(__always)
    public static func hexDigitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }

    /// The hexadecimal digit for `value` (0–15): the one hex table. Upper case for AWS's percent
    /// encoding and the log's `\xHH`, lower case for JSON's `\u00hh` and digests.
    @inlinable @inline(__always)
    public static func hexDigit(_ value: UInt8, uppercase: Bool) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") &+ value : (uppercase ? UInt8(ascii: "A") : UInt8(ascii: "a")) &+ value &- 10
    }

    /// Appends `byte` as two hexadecimal digits.
    @inlinable
    public static func appendHex(_ byte: UInt8, uppercase: Bool, to out: inout [UInt8]) {
        out.append(hexDigit(byte >> 4, uppercase: uppercase))
        out.append(hexDigit(byte & 0xF, uppercase: uppercase))
    }

    /// Whether every byte is a decimal digit. Bytes, not Characters: a digit followed by a
    /// combining mark is one Character that compares like the digit.
    @inlinable
    public static func isDigits(_ text: some StringProtocol) -> Bool {
        text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }
}
