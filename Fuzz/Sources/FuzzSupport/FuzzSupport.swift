// What every fuzz target shares: turning libFuzzer's bytes into fields, and failing loudly.

/// Stops the process with a message libFuzzer shows next to the crashing input: an invariant the
/// code under test promises was broken. Never called for a typed error the code is allowed to throw.
public func invariant(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError("fuzz invariant violated: \(message())", file: file, line: line) }
}

/// The input as bytes (libFuzzer may pass a null pointer with size 0).
public func inputBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Text as the runtime makes it from outside bytes: invalid UTF-8 repaired to U+FFFD.
public func text(_ bytes: some Collection<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self)
}

/// Splits `bytes` at `separator` into at most `limit` fields; the last one keeps the rest,
/// separators included. Missing fields are `nil`: text seeds stay readable (one field a line).
public func fields(_ bytes: [UInt8], separator: UInt8 = UInt8(ascii: "\n"), limit: Int) -> [[UInt8]?] {
    var result: [[UInt8]?] = []
    var start = 0
    while result.count < limit - 1, let end = bytes[start...].firstIndex(of: separator) {
        result.append(Array(bytes[start..<end]))
        start = end + 1
    }
    result.append(Array(bytes[start...]))
    while result.count < limit { result.append(nil) }
    return result
}

/// Reads a binary input front to back: single bytes, integers and length-prefixed chunks, with
/// zeros (or empty chunks) once the input runs out. For targets whose fields may hold any byte.
public struct ByteReader {
    public private(set) var bytes: [UInt8]
    public private(set) var index = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { index >= bytes.count }

    public mutating func byte() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    public mutating func int64() -> Int64 {
        var value: UInt64 = 0
        for _ in 0..<8 { value = value << 8 | UInt64(byte()) }
        return Int64(bitPattern: value)
    }

    /// One length byte, then that many bytes (fewer at the end of the input).
    public mutating func chunk() -> [UInt8] {
        let length = Int(byte())
        let end = min(bytes.count, index + length)
        guard index < end else { return [] }
        defer { index = end }
        return Array(bytes[index..<end])
    }

    public mutating func rest() -> [UInt8] {
        guard index < bytes.count else { return [] }
        defer { index = bytes.count }
        return Array(bytes[index...])
    }
}
