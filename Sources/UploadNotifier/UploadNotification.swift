import S3Events

/// One upload to tell the backend about: the record, its parsed key and its webhook identity.
public struct UploadNotification: Sendable, Equatable {
    public var record: S3EventRecord
    public var key: String
    public var upload: UploadKey
    public var webhookID: String
}
