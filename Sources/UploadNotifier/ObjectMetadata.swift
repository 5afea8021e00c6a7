import AWSClient

/// What the webhook tells about the stored object beyond the event: its `Content-Type` and user
/// metadata (`x-amz-meta-*`), from S3's HeadObject.
public struct ObjectMetadata: Sendable, Equatable {
    /// One user metadata entry: the name lower-case, without the `x-amz-meta-` prefix.
    public typealias Entry = S3ObjectHead.Metadata

    public var contentType: String?
    /// Sorted by name, each name once, so the webhook body is the same for the same object.
    public var userMetadata: [Entry]

    /// What the webhook carries of a HeadObject answer.
    public init(_ head: S3ObjectHead) {
        self.init(contentType: head.contentType, userMetadata: head.userMetadata)
    }

    public init(contentType: String?, userMetadata: [Entry]) {
        self.contentType = contentType
        // Sorted by (name, position), then the first of each name kept: no hash set for a few entries.
        let sorted = userMetadata.enumerated()
            .map { (name: $0.element.name.lowercased(), value: $0.element.value, position: $0.offset) }
            .sorted { $0.name != $1.name ? $0.name < $1.name : $0.position < $1.position }
        var entries: [Entry] = []
        entries.reserveCapacity(sorted.count)
        for entry in sorted where entries.last?.name != entry.name {
            entries.append(Entry(name: entry.name, value: entry.value))
        }
        self.userMetadata = entries
    }
}

/// HEADs an object; ``S3Client`` in `bootstrap`, a fake in tests.
public protocol ObjectHeadReader {
    func headObject(bucket: String, key: String, versionID: String?) -> HeadObjectResult
}

extension S3Client: ObjectHeadReader {}
