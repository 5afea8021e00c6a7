import TextBytes

/// S3 writes object keys into notifications form-URL-encoded: a space as `+`, other reserved
/// or non-ASCII bytes as `%XX` of their UTF-8. (A literal `+` in a key arrives as `%2B`.)
public enum S3KeyEncoding {
    public static func decode(_ encoded: String) throws(S3KeyDecodingError) -> String {
        // Most keys have nothing encoded: the string is then already the key.
        let utf8 = encoded.utf8
        guard utf8.withContiguousStorageIfAvailable({ $0.contains(where: isEncoding) }) ?? utf8.contains(where: isEncoding)
        else { return encoded }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.utf8.count)
        var input = encoded.utf8.makeIterator()
        var offset = 0
        while let byte = input.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = input.next().flatMap(ASCII.hexDigitValue), let low = input.next().flatMap(ASCII.hexDigitValue) else {
                    throw .invalidPercentEscape(offset: offset)
                }
                bytes.append(high << 4 | low)
                offset += 2
            default:
                bytes.append(byte)
            }
            offset += 1
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8 }
        return decoded
    }

    private static func isEncoding(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "+") || byte == UInt8(ascii: "%")
    }
}

public enum S3KeyDecodingError: Error, Equatable, CustomStringConvertible {
    /// A `%` not followed by two hexadecimal digits.
    case invalidPercentEscape(offset: Int)
    /// The decoded bytes are not UTF-8.
    case invalidUTF8

    public var description: String {
        switch self {
        case .invalidPercentEscape(let offset): "malformed %-escape at offset \(offset) of the encoded key"
        case .invalidUTF8: "the decoded key is not valid UTF-8"
        }
    }
}

extension S3KeyEncoding {
    /// The shortest encoding `decode` reads back as `key`: only `%`, `+` and space are escaped.
    /// For keys that arrive unencoded (EventBridge), so that every route's record reads the same.
    public static func encode(_ key: String) -> String {
        guard key.utf8.contains(where: { $0 == UInt8(ascii: " ") || isEncoding($0) }) else { return key }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(key.utf8.count + 8)
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: " "): bytes.append(UInt8(ascii: "+"))
            case UInt8(ascii: "+"): bytes.append(contentsOf: "%2B".utf8)
            case UInt8(ascii: "%"): bytes.append(contentsOf: "%25".utf8)
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
