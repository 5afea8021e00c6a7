import CLibCrypto

/// Standard base64 (RFC 4648 §4, padded) through libcrypto's EVP block coder, which the process
/// loads anyway: no Foundation `Data` round trips on the signing path.
public enum Base64 {
    public static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4 + 1)  // + NUL
        let written = bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { EVP_EncodeBlock($0.baseAddress, input.baseAddress, Int32(input.count)) }
        }
        out.removeLast(out.count - Int(written))
        return out
    }

    public static func encodedString(_ bytes: [UInt8]) -> String {
        String(decoding: encode(bytes), as: UTF8.self)
    }

    /// Decodes canonical padded base64 only: no whitespace, no missing or extra padding, no
    /// non-zero bits after the last byte. Anything else gives `nil`, because libraries disagree
    /// on what lenient decoding means.
    public static func decodeCanonical(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        guard !input.isEmpty else { return [] }
        guard input.count % 4 == 0 else { return nil }
        var out = [UInt8](repeating: 0, count: input.count / 4 * 3)
        let decoded = input.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { EVP_DecodeBlock($0.baseAddress, input.baseAddress, Int32(input.count)) }
        }
        guard decoded == out.count else { return nil }
        // EVP_DecodeBlock counts padding as zero bytes.
        let padding = input.reversed().prefix(while: { $0 == UInt8(ascii: "=") }).count
        guard padding <= 2 else { return nil }
        out.removeLast(padding)
        // Canonical iff it re-encodes to the same text (this also rejects stray whitespace
        // EVP_DecodeBlock would skip and `=` in the middle).
        guard encode(out) == input else { return nil }
        return out
    }
}
