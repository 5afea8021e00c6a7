/// Eight bytes tested at once in a `UInt64` ("SIMD within a register"), for the scanners that see
/// most of our bytes: JSON string escaping and the JSON parser's string skip.
///
/// Each function returns a word whose byte has its high bit set where the condition holds for that
/// byte. Lower bytes may also be flagged falsely *after* a true match (borrow propagation), so the
/// result is exact only as a whole: test it against `highBits`, then find the byte one at a time.
public enum ByteWords {
    public static let ones: UInt64 = 0x0101_0101_0101_0101
    public static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Loads eight bytes from `base + offset`, in memory order (little-endian on our targets).
    /// Callers take `base` once, outside their loop.
    @inlinable @inline(__always)
    public static func load(_ base: UnsafeRawPointer, at offset: Int) -> UInt64 {
        base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }

    /// Flags bytes equal to `byte`.
    @inlinable @inline(__always)
    public static func equal(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let x = word ^ (ones &* UInt64(byte))
        return (x &- ones) & ~x
    }

    /// Flags bytes below `bound` (at most 0x80).
    @inlinable @inline(__always)
    public static func below(_ word: UInt64, _ bound: UInt8) -> UInt64 {
        (word &- ones &* UInt64(bound)) & ~word
    }

    /// Flags bytes of 0x80 and above (every byte of a multi-byte UTF-8 sequence).
    @inlinable @inline(__always)
    public static func nonASCII(_ word: UInt64) -> UInt64 { word }
}
