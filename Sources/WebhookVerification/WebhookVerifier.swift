import CLibCrypto
import StandardWebhooks

/// A one-shot HMAC and a constant-time comparison: what a receiver needs beside the signer.
extension Digest {
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = key.withUnsafeBytes { key in
            message.withUnsafeBufferPointer { message in
                out.withUnsafeMutableBufferPointer {
                    clibcrypto_hmac_sha256(key.baseAddress, Int32(key.count), message.baseAddress, message.count, $0.baseAddress)
                }
            }
        }
        precondition(ok == 1, "libcrypto HMAC-SHA256 failed")
        return out
    }

    /// Compares in time independent of where the inputs differ.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { a in b.withUnsafeBytes { b in clibcrypto_equal(a.baseAddress, b.baseAddress, a.count) == 1 } }
    }
}

/// The receiving side of the Standard Webhooks spec, for the local receiver, the reference
/// backend's tests and fuzzing; `bootstrap` only signs.
public struct WebhookVerifier: Sendable {
    public let secrets: [WebhookSecret]
    /// The spec's recommended replay window.
    public var tolerance: Int64 = 300

    public init(secrets: [WebhookSecret]) {
        self.secrets = secrets
    }

    public func verify(id: String?, timestamp: String?, signature: String?, body: [UInt8], now: Int64) throws(WebhookVerificationError) {
        guard let id, !id.isEmpty else { throw .missingHeader("webhook-id") }
        guard let timestampText = timestamp else { throw .missingHeader("webhook-timestamp") }
        guard let signature else { throw .missingHeader("webhook-signature") }
        guard let sent = Self.unixSeconds(timestampText) else { throw .malformedTimestamp }
        // Header values are the sender's: `now - sent` may overflow and `abs(Int64.min)` traps.
        let (difference, overflow) = now.subtractingReportingOverflow(sent)
        guard !overflow, difference.magnitude <= tolerance.magnitude else { throw .timestampOutsideTolerance }
        let message = WebhookSigner.signedContent(id: id, timestamp: sent, body: body)
        let expected = secrets.map { Digest.hmacSHA256(key: $0.key, message: message) }
        for candidate in signature.split(separator: " ") {
            guard candidate.hasPrefix("v1,"), let mac = Base64.decodeCanonical(String(candidate.dropFirst(3))) else { continue }
            if expected.contains(where: { Digest.constantTimeEqual($0, mac) }) { return }
        }
        throw .noMatchingSignature
    }

    /// Whole Unix seconds as the spec writes them: ASCII digits only, no sign, no spaces.
    static func unixSeconds(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.count <= 19, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int64(text)
    }
}

public enum WebhookVerificationError: Error, Equatable, CustomStringConvertible {
    case missingHeader(String)
    case malformedTimestamp
    case timestampOutsideTolerance
    case noMatchingSignature

    public var description: String {
        switch self {
        case .missingHeader(let name): "missing \(name) header"
        case .malformedTimestamp: "webhook-timestamp is not whole Unix seconds"
        case .timestampOutsideTolerance: "webhook-timestamp is outside the tolerance window"
        case .noMatchingSignature: "no v1 signature matches"
        }
    }
}
