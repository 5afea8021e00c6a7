import AWSSigning
import TextBytes

#if canImport(Glibc)
import Glibc
#endif

/// A response's header fields as received: the raw lines in one buffer and where each name ends.
/// Values become Strings only when asked for — most of the Runtime API's and the backend's headers never
/// are, and making two Strings per field as it arrived cost more than libcurl's own parsing (callgrind).
public struct HTTPHeaders: Sendable, HTTPHeaderLookup {
    /// Where one field's line lies in `bytes`: name is `start..<colon`, the value follows the colon.
    private struct Field: Sendable {
        var start: Int
        var colon: Int
        var end: Int
    }

    private var bytes: [UInt8] = []
    private var fields: [Field] = []

    public init() {}

    public init(_ headers: [HTTPHeader]) {
        for header in headers {
            var line = Array(header.name.utf8)
            line.append(contentsOf: ": ".utf8)
            line.append(contentsOf: header.value.utf8)
            line.withUnsafeBufferPointer { append(line: $0) }
        }
    }

    public var count: Int { fields.count }

    /// Every field, in the order received.
    public var all: [HTTPHeader] {
        bytes.withUnsafeBufferPointer { all in
            fields.map { field in
                HTTPHeader(
                    String(decoding: UnsafeBufferPointer(rebasing: all[field.start..<field.colon]), as: UTF8.self),
                    Self.value(of: field, in: all))
            }
        }
    }

    public func value(for name: String) -> String? {
        name.withUTF8Bytes { wanted in
            bytes.withUnsafeBufferPointer { all in
                for field in fields where field.colon - field.start == wanted.count {
                    if HTTPHeader.namesMatch(UnsafeBufferPointer(rebasing: all[field.start..<field.colon]), wanted) {
                        return Self.value(of: field, in: all)
                    }
                }
                return nil
            }
        }
    }

    /// Forgets every field, keeping the buffers (a new response on the same connection).
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
    }

    /// Keeps one "Name: value" line as libcurl hands it over; a line without a colon (the blank line
    /// that ends the block) is not a field.
    mutating func append(line: UnsafeBufferPointer<UInt8>) {
        guard let base = line.baseAddress, let colon = memchr(base, Int32(UInt8(ascii: ":")), line.count) else { return }
        let start = bytes.count
        let nameLength = UnsafeRawPointer(colon) - UnsafeRawPointer(base)
        bytes.append(contentsOf: line)
        fields.append(Field(start: start, colon: start + nameLength, end: bytes.count))
    }

    /// The value after the colon, without surrounding spaces, tabs and the line's CRLF.
    private static func value(of field: Field, in all: UnsafeBufferPointer<UInt8>) -> String {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var start = field.colon + 1
        var end = field.end
        while start < end && isSpace(all[start]) { start += 1 }
        while end > start && isSpace(all[end - 1]) { end -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: all[start..<end]), as: UTF8.self)
    }
}
