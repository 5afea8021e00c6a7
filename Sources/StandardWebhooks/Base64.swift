import CLibCrypto

/// Standard base64 (RFC 4648 §4, padded) through libcrypto's EVP block coder, which the process
/// loads anyway: no Foundation `Data` round trips on the signing path.
public enum Base64 {
    public static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        append(bytes, to: &out)
        return out
    }

    /// Appends the encoding of `bytes` to `out`, in place: no intermediate array on signing paths.
    /// `urlSafe` gives RFC 4648 §5 base64url without padding (`-` and `_`, no `=`).
    public static func append(_ bytes: [UInt8], to out: inout [UInt8], urlSafe: Bool = false) {
        let start = out.count
        let length = (bytes.count + 2) / 3 * 4
        out.append(contentsOf: repeatElement(0, count: length + 1))  // + NUL
        let written = bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer {
                EVP_EncodeBlock($0.baseAddress! + start, input.baseAddress, Int32(input.count))
            }
        }
        out.removeLast(out.count - start - Int(written))
        guard urlSafe else { return }
        while out.count > start, out[out.count - 1] == UInt8(ascii: "=") { out.removeLast() }
        for index in start..<out.count {
            if out[index] == UInt8(ascii: "+") { out[index] = UInt8(ascii: "-") }
            else if out[index] == UInt8(ascii: "/") { out[index] = UInt8(ascii: "_") }
        }
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
