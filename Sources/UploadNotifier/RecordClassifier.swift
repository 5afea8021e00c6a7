import S3Events

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
