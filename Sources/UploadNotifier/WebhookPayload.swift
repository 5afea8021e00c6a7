#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The webhook body, camelCase for an ASP.NET Core backend; absent values are `null`, never
/// left out. Schema: docs/webhook.schema.json.
public struct WebhookPayload: Encodable, Sendable, Equatable {
    public static let eventType = "audio_file.uploaded"

    public struct Upload: Encodable, Sendable, Equatable {
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

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(userId, forKey: .userId)
            try c.encode(fileId, forKey: .fileId)
            try c.encode(fileExtension, forKey: .fileExtension)
            try c.encode(bucket, forKey: .bucket)
            try c.encode(key, forKey: .key)
            try c.encode(s3Uri, forKey: .s3Uri)
            try c.encode(size, forKey: .size)
            try c.encode(eTag, forKey: .eTag)
            try c.encode(versionId, forKey: .versionId)
            try c.encode(sequencer, forKey: .sequencer)
            try c.encode(eventName, forKey: .eventName)
            try c.encode(eventTime, forKey: .eventTime)
            try c.encode(awsRegion, forKey: .awsRegion)
        }

        enum CodingKeys: CodingKey {
            case userId, fileId, fileExtension, bucket, key, s3Uri, size, eTag, versionId, sequencer
            case eventName, eventTime, awsRegion
        }
    }

    public var type: String
    public var timestamp: String?
    public var data: Upload

    public init(_ notification: UploadNotification) {
        let record = notification.record
        let object = record.s3.object
        type = Self.eventType
        timestamp = record.eventTime
        data = Upload(
            userId: notification.upload.userID, fileId: notification.upload.fileID,
            fileExtension: notification.upload.fileExtension, bucket: record.s3.bucket.name,
            key: notification.key, s3Uri: "s3://\(record.s3.bucket.name)/\(notification.key)",
            size: object.size, eTag: object.eTag, versionId: object.versionId, sequencer: object.sequencer,
            eventName: record.eventName, eventTime: record.eventTime, awsRegion: record.awsRegion)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(timestamp, forKey: .timestamp)
        try c.encode(data, forKey: .data)
    }

    enum CodingKeys: CodingKey { case type, timestamp, data }

    /// The exact bytes sent and signed.
    public func jsonBytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }
}
