/// Signs webhooks per the Standard Webhooks spec, version `v1`:
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

    /// What is signed: `{webhook-id}.{webhook-timestamp}.{body}`.
    public static func signedContent(id: String, timestamp: Int64, body: [UInt8]) -> [UInt8] {
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
