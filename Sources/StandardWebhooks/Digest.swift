import CLibCrypto
import Threads

/// SHA-256 from OpenSSL's libcrypto, which libcurl already loads (HMAC: ``HMACSHA256Key``).
public enum Digest {
    /// Fetched once: an implicit fetch per call is most of the cost of hashing a short message.
    nonisolated(unsafe) private static let sha256Algorithm = clibcrypto_sha256_fetch()

    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = bytes.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { clibcrypto_sha256_with(sha256Algorithm, input.baseAddress, input.count, $0.baseAddress) }
        }
        precondition(ok == 1, "libcrypto SHA-256 failed")
        return out
    }
}

/// An HMAC-SHA256 key made ready once (algorithm fetched, key pads hashed), for signing many
/// messages with the same secret.
///
/// Made ready on first use, not at start-up: OpenSSL 3 builds its algorithm tables on the first
/// fetch, which would otherwise lengthen every cold start.
public final class HMACSHA256Key: @unchecked Sendable {
    private let key: [UInt8]
    // The keyed context, made on first use and only ever touched under `lock`.
    private let lock = Lock()
    private var keyed: UnsafeMutableRawPointer?

    public init(_ key: [UInt8]) {
        self.key = key
    }

    deinit {
        if let keyed { clibcrypto_hmac_sha256_key_free(keyed) }
    }

    public func authenticationCode(for message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = lock.withLock {
            if keyed == nil {
                keyed = key.withUnsafeBytes { clibcrypto_hmac_sha256_key_new($0.baseAddress, $0.count) }
            }
            guard let context = keyed else { return Int32(0) }
            // Under the lock: each signature restarts the one keyed context.
            return message.withUnsafeBufferPointer { message in
                out.withUnsafeMutableBufferPointer { clibcrypto_hmac_sha256_keyed(context, message.baseAddress, message.count, $0.baseAddress) }
            }
        }
        precondition(ok == 1, "libcrypto HMAC-SHA256 failed")
        return out
    }
}
