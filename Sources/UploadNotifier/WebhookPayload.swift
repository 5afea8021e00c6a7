import TextBytes

/// The webhook body, camelCase for an ASP.NET Core backend; absent values are `null`, never
/// left out. Schema: docs/webhook.schema.json.
public struct WebhookPayload: Sendable, Equatable {
    public static let eventType = "audio_file.uploaded"

    public struct Upload: Sendable, Equatable {
        public var userId: String
        public var fileId: String
        public var fileExtension: String?
        public var bucket: String
        public var key: String
        public var s3Uri: String
        public var size: Int64?
        public var eTag: String?
        public var versionId: String?
        public var sequencer: String?
        public var eventName: String?
        public var eventTime: String?
        public var awsRegion: String?
        /// The object's `Content-Type`; null when not fetched or not known.
        public var contentType: String?
        /// The object's user metadata; null when not fetched or not known.
        public var metadata: [ObjectMetadata.Entry]?
    }

    public var type: String
    public var timestamp: String?
    public var data: Upload

    /// - Parameter object: what HeadObject found; nil when metadata is off or unavailable.
    public init(_ notification: UploadNotification, object: ObjectMetadata? = nil) {
        let record = notification.record
        let s3Object = record.s3.object
        type = Self.eventType
        timestamp = record.eventTime
        data = Upload(
            userId: notification.upload.userID, fileId: notification.upload.fileID,
            fileExtension: notification.upload.fileExtension, bucket: record.s3.bucket.name,
            key: notification.key, s3Uri: "s3://\(record.s3.bucket.name)/\(notification.key)",
            size: s3Object.size, eTag: s3Object.eTag, versionId: s3Object.versionId, sequencer: s3Object.sequencer,
            eventName: record.eventName, eventTime: record.eventTime, awsRegion: record.awsRegion,
            contentType: object?.contentType, metadata: object?.userMetadata)
    }

    /// The exact bytes sent and signed: keys sorted, no insignificant white space.
    public func jsonBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(768 + 3 * data.key.utf8.count)
        JSONText.appendRaw(#"{"data":{"#, to: &out)
        JSONText.appendMember("awsRegion", data.awsRegion, to: &out, first: true)
        JSONText.appendMember("bucket", data.bucket, to: &out)
        JSONText.appendMember("contentType", data.contentType, to: &out)
        JSONText.appendMember("eTag", data.eTag, to: &out)
        JSONText.appendMember("eventName", data.eventName, to: &out)
        JSONText.appendMember("eventTime", data.eventTime, to: &out)
        JSONText.appendMember("fileExtension", data.fileExtension, to: &out)
        JSONText.appendMember("fileId", data.fileId, to: &out)
        JSONText.appendMember("key", data.key, to: &out)
        JSONText.appendRaw(#","metadata":"#, to: &out)
        if let metadata = data.metadata {
            out.append(UInt8(ascii: "{"))
            for (index, entry) in metadata.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendString(entry.name, to: &out)
                out.append(UInt8(ascii: ":"))
                JSONText.appendString(entry.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        } else {
            JSONText.appendRaw("null", to: &out)
        }
        JSONText.appendMember("s3Uri", data.s3Uri, to: &out)
        JSONText.appendMember("sequencer", data.sequencer, to: &out)
        JSONText.appendMember("size", data.size, to: &out)
        JSONText.appendMember("userId", data.userId, to: &out)
        JSONText.appendMember("versionId", data.versionId, to: &out)
        out.append(UInt8(ascii: "}"))
        JSONText.appendMember("timestamp", timestamp, to: &out)
        JSONText.appendMember("type", type, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
