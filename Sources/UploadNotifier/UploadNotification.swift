import S3Events
import StandardWebhooks


/// One upload to tell the backend about: the record, its parsed key and its webhook identity.
public struct UploadNotification: Sendable, Equatable {
    public var record: S3EventRecord
    public var key: String
    public var upload: UploadKey
    public var webhookID: String
}

/// What the notifier decided for one record.
public enum RecordDecision: Sendable, Equatable {
    case notify(UploadNotification)
    case skip(key: String, reason: SkipReason)
}

public enum RecordClassifier {
    /// Decides, without I/O, whether a record is an upload under `temp/` that gets a webhook.
    public static func classify(_ record: S3EventRecord, configuration: NotifierConfiguration) -> RecordDecision {
        classify(record, prefix: configuration.audioFilesPrefix, allowedBuckets: configuration.allowedBuckets)
    }

    public static func classify(_ record: S3EventRecord, prefix: String, allowedBuckets: Set<String>) -> RecordDecision {
        let key: String
        do {
            key = try record.s3.object.decodedKey()
        } catch {
            return .skip(key: record.s3.object.key, reason: .malformedKeyEncoding(error.description))
        }
        guard let eventName = record.eventName, eventName.utf8.starts(with: "ObjectCreated:".utf8) else {
            return .skip(key: key, reason: .notObjectCreated(eventName: record.eventName))
        }
        let bucket = record.s3.bucket.name
        guard allowedBuckets.isEmpty || allowedBuckets.contains(bucket) else {
            return .skip(key: key, reason: .bucketNotAllowed(bucket))
        }
        switch UploadKey.parse(key, prefix: prefix) {
        case .failure(let reason):
            return .skip(key: key, reason: reason)
        case .success(let upload):
            let id = WebhookID.make(bucket: bucket, key: key, versionID: record.s3.object.versionId, sequencer: record.s3.object.sequencer)
            return .notify(UploadNotification(record: record, key: key, upload: upload, webhookID: id))
        }
    }
}

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
