import StandardWebhooks

/// The `webhook-id`: the same object version always gives the same id, so the backend can drop
/// duplicates from our retries, Lambda's retries and S3's at-least-once delivery; a new upload of
/// the same key has a new sequencer (and versionId), hence a new id.
public enum WebhookID {
    public static func make(bucket: String, key: String, versionID: String?, sequencer: String?) -> String {
        // NUL separators cannot occur in bucket names, and make each field's boundary unambiguous.
        var material: [UInt8] = []
        material.reserveCapacity(64 + bucket.utf8.count + key.utf8.count)
        material.append(contentsOf: WebhookPayload.eventType.utf8)
        material.append(0)
        material.append(contentsOf: bucket.utf8)
        material.append(0)
        material.append(contentsOf: key.utf8)
        material.append(0)
        material.append(contentsOf: (versionID ?? "").utf8)
        material.append(0)
        material.append(contentsOf: (sequencer ?? "").utf8)
        // base64url without padding: [A-Za-z0-9_-], 4 + 43 = 47 characters, no "." (the signature separator).
        var id = Array("upl_".utf8)
        id.reserveCapacity(48)
        Base64.append(Digest.sha256(material), to: &id, urlSafe: true)
        return String(decoding: id, as: UTF8.self)
    }
}
