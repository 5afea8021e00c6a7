/// One record of an S3 event notification (event version 2.x), as S3 sends it.
///
/// Every field S3 documents is modelled; all but the bucket name and object key are optional,
/// and fields S3 may add later are ignored. `object.key` is still URL-encoded: use
/// ``S3Object/decodedKey()`` before using it.
/// Reference: docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
public struct S3EventRecord: Sendable, Equatable {
    public var eventVersion: String?
    public var eventSource: String?
    public var awsRegion: String?
    public var eventTime: String?
    public var eventName: String?
    public var userIdentity: S3Principal?
    public var requestParameters: RequestParameters?
    public var responseElements: ResponseElements?
    public var s3: S3Entity

    public init(
        eventVersion: String? = "2.1", eventSource: String? = "aws:s3", awsRegion: String? = nil,
        eventTime: String? = nil, eventName: String? = nil, userIdentity: S3Principal? = nil,
        requestParameters: RequestParameters? = nil, responseElements: ResponseElements? = nil, s3: S3Entity
    ) {
        self.eventVersion = eventVersion
        self.eventSource = eventSource
        self.awsRegion = awsRegion
        self.eventTime = eventTime
        self.eventName = eventName
        self.userIdentity = userIdentity
        self.requestParameters = requestParameters
        self.responseElements = responseElements
        self.s3 = s3
    }

    public struct RequestParameters: Sendable, Equatable {
        public var sourceIPAddress: String?

        public init(sourceIPAddress: String?) { self.sourceIPAddress = sourceIPAddress }
    }

    public struct ResponseElements: Sendable, Equatable {
        public var requestID: String?
        public var hostID: String?

        public init(requestID: String?, hostID: String?) {
            self.requestID = requestID
            self.hostID = hostID
        }
    }
}

public struct S3Principal: Sendable, Equatable {
    public var principalId: String?

    public init(principalId: String?) { self.principalId = principalId }
}

public struct S3Entity: Sendable, Equatable {
    public var s3SchemaVersion: String?
    public var configurationId: String?
    public var bucket: S3Bucket
    public var object: S3Object

    public init(s3SchemaVersion: String? = "1.0", configurationId: String? = nil, bucket: S3Bucket, object: S3Object) {
        self.s3SchemaVersion = s3SchemaVersion
        self.configurationId = configurationId
        self.bucket = bucket
        self.object = object
    }
}

public struct S3Bucket: Sendable, Equatable {
    public var name: String
    public var arn: String?
    public var ownerIdentity: S3Principal?

    public init(name: String, arn: String? = nil, ownerIdentity: S3Principal? = nil) {
        self.name = name
        self.arn = arn
        self.ownerIdentity = ownerIdentity
    }
}

public struct S3Object: Sendable, Equatable {
    /// URL-encoded, as S3 writes it into notifications.
    public var key: String
    /// Absent on removals.
    public var size: Int64?
    public var eTag: String?
    /// Present only when the bucket has versioning enabled.
    public var versionId: String?
    /// Orders events for the same key: a later upload has a greater sequencer.
    public var sequencer: String?

    public init(key: String, size: Int64? = nil, eTag: String? = nil, versionId: String? = nil, sequencer: String? = nil) {
        self.key = key
        self.size = size
        self.eTag = eTag
        self.versionId = versionId
        self.sequencer = sequencer
    }

    /// The key as the uploader named it.
    public func decodedKey() throws(S3KeyDecodingError) -> String {
        try S3KeyEncoding.decode(key)
    }
}

/// `{"Event": "s3:TestEvent", …}`: what S3 sends once when a notification is configured.
public struct S3TestEvent: Sendable, Equatable {
    public var service: String?
    public var event: String
    public var time: String?
    public var bucket: String?
    public var requestID: String?
    public var hostID: String?
}
