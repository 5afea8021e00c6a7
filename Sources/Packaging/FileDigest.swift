import CLibCrypto
import Foundation
import TextBytes

/// SHA-256 of a file, as Lambda reports it in `CodeSha256` (base64 of the raw digest), computed
/// with the same libcrypto the deployed binary links.
public enum FileDigest {
    public static func sha256Base64(of file: URL) throws -> String {
        Data(try sha256(of: file)).base64EncodedString()
    }

    public static func sha256Hex(of file: URL) throws -> String {
        var hex: [UInt8] = []
        for byte in try sha256(of: file) { ASCII.appendHex(byte, uppercase: false, to: &hex) }
        return String(decoding: hex, as: UTF8.self)
    }

    /// The 32 raw digest bytes. Whole-file read: what we hash is a zip or an executable of a few MB.
    public static func sha256(of file: URL) throws -> [UInt8] {
        let contents = try Data(contentsOf: file)
        var digest = [UInt8](repeating: 0, count: 32)
        let ok = contents.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { clibcrypto_sha256(input.baseAddress, input.count, $0.baseAddress) }
        }
        guard ok == 1 else { throw PackagingError.digestFailed(file: file.path) }
        return digest
    }
}
