import S3Events
import StrictJSON

/// An S3 event delivered by EventBridge, read as the S3 notification record S3 would have sent,
/// so the rest of the notifier (and the webhook-id) cannot tell the routes apart.
/// Reference: docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
enum EventBridgeObjectEvent {
    static func notification(_ reader: EnvelopeReader, _ root: JSONDocument.Value) throws(S3RouteError) -> S3Notification {
        let source = reader.stringIfAny("source", in: root)
        let detailType = reader.stringIfAny("detail-type", in: root)
        guard source == "aws.s3" else { throw .notFromS3(source: source, detailType: detailType) }
        guard let detailType else { throw .invalidEnvelope(path: "detail-type", problem: "is missing") }
        let detail = try reader.object("detail", in: root, "detail")
        let bucket = try reader.object("bucket", in: detail, "detail.bucket")
        let object = try reader.object("object", in: detail, "detail.object")
        let bucketName = try reader.requiredString("name", in: bucket, "detail.bucket.name")
        // The key is taken as it stands, not URL-decoded: AWS documents URL encoding for the
        // notification S3 sends to Lambda, SNS and SQS (notification-content-structure.html: "The
        // object key name value is URL encoded"), and none for EventBridge's `detail.object.key`
        // (ev-events.html, "Event message detail field"); captured EventBridge events carry keys
        // with raw ':' that S3 notifications write as %3A. Encoding it here the way S3 does makes
        // the record read back the same key, whatever route brought it.
        let key = try reader.requiredString("key", in: object, "detail.object.key")
        let requester = try reader.optionalString("requester", in: detail, "detail.requester")
        let sourceIP = try reader.optionalString("source-ip-address", in: detail, "detail.source-ip-address")
        let requestID = try reader.optionalString("request-id", in: detail, "detail.request-id")
        return .records([S3EventRecord(
            eventVersion: nil,
            eventSource: "aws:s3",
            awsRegion: try reader.optionalString("region", in: root, "region"),
            eventTime: try reader.optionalString("time", in: root, "time"),
            eventName: eventName(detailType: detailType, reason: try reader.optionalString("reason", in: detail, "detail.reason")),
            userIdentity: requester.map { S3Principal(principalId: $0) },
            requestParameters: sourceIP.map { S3EventRecord.RequestParameters(sourceIPAddress: $0) },
            responseElements: requestID.map { S3EventRecord.ResponseElements(requestID: $0, hostID: nil) },
            s3: S3Entity(
                s3SchemaVersion: nil, configurationId: nil,
                bucket: S3Bucket(name: bucketName, arn: "arn:aws:s3:::" + bucketName),
                object: S3Object(
                    key: S3KeyEncoding.encode(key),
                    size: try reader.optionalInt64("size", in: object, "detail.object.size"),
                    eTag: try reader.optionalString("etag", in: object, "detail.object.etag"),
                    versionId: try reader.optionalString("version-id", in: object, "detail.object.version-id"),
                    sequencer: try reader.optionalString("sequencer", in: object, "detail.object.sequencer"))))])
    }

    /// "Object Created" with its `reason` (the S3 API that created the object) as the notification's
    /// `ObjectCreated:*` event name; any other detail-type ("Object Deleted", …) as it is, which the
    /// classifier skips as not ObjectCreated.
    static func eventName(detailType: String, reason: String?) -> String {
        guard detailType == "Object Created" else { return detailType }
        let kind = switch reason {
        case "PutObject": "Put"
        case "POST Object": "Post"
        case "CopyObject": "Copy"
        case "CompleteMultipartUpload": "CompleteMultipartUpload"
        case let other?: other
        case nil: "*"
        }
        return "ObjectCreated:" + kind
    }
}
