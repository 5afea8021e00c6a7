import Foundation

/// SHA-256 of a file, as Lambda reports it in `CodeSha256` (base64 of the raw digest).
///
/// Why a subprocess: swift-foundation has no SHA-256, hand-written crypto is off the table,
/// and the only crypto library in this package (CLibCrypto) belongs to the deployed binary's
/// targets. `sha256sum` (coreutils) is on every Linux, `shasum` on macOS, `openssl` nearly
/// everywhere — the first one found is used.
public enum FileDigest {
    public static func sha256Base64(of file: URL) throws -> String {
        Data(try sha256(of: file)).base64EncodedString()
    }

    public static func sha256Hex(of file: URL) throws -> String {
        try sha256(of: file).map { String(format: "%02x", $0) }.joined()
    }

    /// The 32 raw digest bytes.
    public static func sha256(of file: URL) throws -> [UInt8] {
        let candidates: [(tool: String, arguments: [String])] = [
            ("sha256sum", ["--binary", file.path]),
            ("shasum", ["-a", "256", "-b", file.path]),
            ("openssl", ["dgst", "-sha256", "-r", file.path]),
        ]
        for candidate in candidates {
            guard let executable = Subprocess.locate(candidate.tool) else { continue }
            let output = try Subprocess.run(executable, candidate.arguments)
            guard output.status == 0 else {
                throw PackagingError.toolFailed(
                    tool: candidate.tool, status: output.status,
                    output: String(decoding: output.standardError, as: UTF8.self))
            }
            // All three print "<64 hex digits> <name>".
            let text = String(decoding: output.standardOutput, as: UTF8.self)
            let hex = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "*" }).first.map(String.init) ?? ""
            guard let bytes = decodeHex(hex), bytes.count == 32 else {
                throw PackagingError.toolFailed(tool: candidate.tool, status: 0, output: "unexpected output: \(text)")
            }
            return bytes
        }
        throw PackagingError.toolNotFound(tool: "sha256sum", hint: "install coreutils (or shasum / openssl)")
    }

    static func decodeHex(_ hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
