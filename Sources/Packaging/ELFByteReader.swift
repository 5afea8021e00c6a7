/// Bounds-checked little-endian reads over the raw bytes of an ELF file.
///
/// Every offset comes from untrusted headers, so every read checks the end of
/// the buffer and every addition checks for overflow.
struct ELFByteReader {
    let bytes: [UInt8]

    var count: Int { bytes.count }

    func u8(_ offset: Int) throws(ELFError) -> UInt8 {
        try require(offset, 1)
        return bytes[offset]
    }

    func u16(_ offset: Int) throws(ELFError) -> UInt16 {
        try require(offset, 2)
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func u32(_ offset: Int) throws(ELFError) -> UInt32 {
        try require(offset, 4)
        var value: UInt32 = 0
        for index in (0..<4).reversed() { value = value << 8 | UInt32(bytes[offset + index]) }
        return value
    }

    func u64(_ offset: Int) throws(ELFError) -> UInt64 {
        try require(offset, 8)
        var value: UInt64 = 0
        for index in (0..<8).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        return value
    }

    /// A NUL-terminated string starting at `offset`, not reading past `end`.
    func cString(at offset: Int, end: Int) throws(ELFError) -> String {
        let limit = Swift.min(end, bytes.count)
        guard offset >= 0 else { throw .malformed("negative string offset") }
        guard offset < limit else { throw .truncated(at: offset) }
        var cursor = offset
        while cursor < limit, bytes[cursor] != 0 { cursor += 1 }
        guard cursor < limit else { throw .malformed("unterminated string at offset \(offset)") }
        return String(decoding: bytes[offset..<cursor], as: UTF8.self)
    }

    /// Throws `.truncated` unless `size` bytes are available at `offset`.
    func require(_ offset: Int, _ size: Int) throws(ELFError) {
        guard offset >= 0, size >= 0 else { throw .malformed("negative offset \(offset)") }
        let (end, overflow) = offset.addingReportingOverflow(size)
        guard !overflow, end <= bytes.count else { throw .truncated(at: offset) }
    }
}

/// Converts a 64-bit header field to an `Int`, rejecting values no file can reach.
func elfInt(_ value: UInt64, _ what: String) throws(ELFError) -> Int {
    guard value <= UInt64(Int.max) else { throw .malformed("\(what) \(value) is out of range") }
    return Int(value)
}

/// Overflow-checked `a + b` for offsets taken from headers.
func elfAdd(_ lhs: Int, _ rhs: Int) throws(ELFError) -> Int {
    let (sum, overflow) = lhs.addingReportingOverflow(rhs)
    guard !overflow else { throw .malformed("offset overflow (\(lhs) + \(rhs))") }
    return sum
}

/// Overflow-checked `a * b` for table sizes taken from headers.
func elfMultiply(_ lhs: Int, _ rhs: Int) throws(ELFError) -> Int {
    let (product, overflow) = lhs.multipliedReportingOverflow(by: rhs)
    guard !overflow else { throw .malformed("size overflow (\(lhs) × \(rhs))") }
    return product
}
