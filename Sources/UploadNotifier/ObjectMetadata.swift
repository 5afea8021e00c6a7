import AWSClient

/// What the webhook tells about the stored object beyond the event: its `Content-Type` and user
/// metadata (`x-amz-meta-*`), from S3's HeadObject.
public struct ObjectMetadata: Sendable, Equatable {
    /// One user metadata entry: the name lower-case, without the `x-amz-meta-` prefix.
    public typealias Entry = S3ObjectHead.Metadata

    public var contentType: String?
    /// Sorted by name, each name once, so the webhook body is the same for the same object.
    public var userMetadata: [Entry]

    public init(contentType: String?, userMetadata: [Entry]) {
        self.contentType = contentType
        var seen = Set<String>()
        self.userMetadata = userMetadata
            .map { Entry(name: $0.name.lowercased(), value: $0.value) }
            .filter { seen.insert($0.name).inserted }
            .sorted { $0.name < $1.name }
    }
}

/// What one HeadObject call found, in the notifier's terms.
public enum ObjectLookup: Sendable, Equatable {
    case found(ObjectMetadata)
    /// 404: the object (or the version) was deleted after the upload.
    case gone
    /// Anything else: `transient` when the same call may succeed later.
    case failed(problem: String, transient: Bool)
}

/// HEADs an object; S3 in `bootstrap`, a fake in tests.
public protocol ObjectHeadReader {
    func headObject(bucket: String, key: String, versionID: String?) -> ObjectLookup
}
