/// An HMAC key for Standard Webhooks signatures (standardwebhooks.com).
public struct WebhookSecret: Sendable, Equatable {
    /// The spec recommends 24 to 64 bytes of key.
    public static let minimumKeyBytes = 24

    public let key: [UInt8]

    public init(key: [UInt8]) {
        self.key = key
    }

    /// Parses `whsec_<base64>`, strictly: verifier libraries disagree on malformed secrets
    /// (one silently drops characters, another throws), so only canonical base64 is accepted.
    public init(parsing text: String) throws(WebhookSecretError) {
        guard text.hasPrefix("whsec_") else { throw .missingPrefix }
        let encoded = String(text.dropFirst("whsec_".count))
        guard let key = Base64.decodeCanonical(encoded) else { throw .invalidBase64 }
        guard key.count >= Self.minimumKeyBytes else { throw .tooShort(bytes: key.count) }
        self.key = key
    }

    /// Parses a space-separated list, as used for rotating secrets without downtime.
    public static func parseList(_ text: String) throws(WebhookSecretError) -> [WebhookSecret] {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard !parts.isEmpty else { throw .empty }
        var secrets: [WebhookSecret] = []
        for part in parts { secrets.append(try WebhookSecret(parsing: String(part))) }
        return secrets
    }

    /// The `whsec_` form of this key, for telling a verifier which secret to use.
    public var encoded: String { "whsec_" + Base64.encodedString(key) }
}

/// Why a signing secret was refused. Never carries the secret itself.
public enum WebhookSecretError: Error, Equatable, CustomStringConvertible {
    case empty
    case missingPrefix
    case invalidBase64
    case tooShort(bytes: Int)

    public var description: String {
        switch self {
        case .empty: "no secret given"
        case .missingPrefix: "each secret must start with \"whsec_\""
        case .invalidBase64: "the text after \"whsec_\" is not canonical padded base64"
        case .tooShort(let bytes): "a secret must hold at least \(WebhookSecret.minimumKeyBytes) bytes of key, this one has \(bytes)"
        }
    }
}
