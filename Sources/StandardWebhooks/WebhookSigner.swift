/// Signs and verifies webhooks per the Standard Webhooks spec, version `v1`:
/// `base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}"))`.
public struct WebhookSigner: Sendable {
    public let secrets: [WebhookSecret]
    /// One per secret, keyed at start-up rather than per signature.
    private let keys: [HMACSHA256Key]

    public init(secrets: [WebhookSecret]) {
        precondition(!secrets.isEmpty, "a signer needs at least one secret")
        self.secrets = secrets
        self.keys = secrets.map { HMACSHA256Key($0.key) }
    }

    /// The `webhook-signature` value: one `v1,<base64>` per secret, space-separated.
    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        let message = Self.signedContent(id: id, timestamp: timestamp, body: body)
        var signature: [UInt8] = []
        signature.reserveCapacity(secrets.count * 48)
        for key in keys {
            if !signature.isEmpty { signature.append(UInt8(ascii: " ")) }
            signature.append(contentsOf: "v1,".utf8)
            Base64.append(key.authenticationCode(for: message), to: &signature)
        }
        return String(decoding: signature, as: UTF8.self)
    }

    static func signedContent(id: String, timestamp: Int64, body: [UInt8]) -> [UInt8] {
        var message: [UInt8] = []
        message.reserveCapacity(id.utf8.count + 22 + body.count)
        message.append(contentsOf: id.utf8)
        message.append(UInt8(ascii: "."))
        message.append(contentsOf: String(timestamp).utf8)
        message.append(UInt8(ascii: "."))
        message.append(contentsOf: body)
        return message
    }
}

/// The receiving side, for the local receiver and tests.
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
