import HTTP
import Retrying

/// What S3's HeadObject says of an object: the one result type of a lookup, from the client up to
/// the notifier (which retries within its deadline and reports the last failure).
public enum HeadObjectResult: Sendable, Equatable {
    case found(S3ObjectHead)
    /// 404: no such key or no such bucket (a HEAD response has no body to tell which), or 405 with
    /// `x-amz-delete-marker: true`: the version asked for is a delete marker.
    case notFound
    case failed(S3Failure)
}

/// An object's headers that the notifier uses.
public struct S3ObjectHead: Sendable, Equatable {
    public struct Metadata: Sendable, Equatable {
        /// Lower-cased, without "x-amz-meta-".
        public var name: String
        /// As S3 sends it: a value that was not ASCII arrives RFC 2047-encoded ("=?UTF-8?B?…?=").
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var contentType: String?
    public var contentLength: Int?
    public var eTag: String?
    public var versionID: String?
    public var lastModified: String?
    /// The user metadata (`x-amz-meta-*` headers) in the order S3 sent them.
    public var userMetadata: [Metadata]

    public init(
        contentType: String? = nil, contentLength: Int? = nil, eTag: String? = nil, versionID: String? = nil,
        lastModified: String? = nil, userMetadata: [Metadata] = []
    ) {
        self.contentType = contentType
        self.contentLength = contentLength
        self.eTag = eTag
        self.versionID = versionID
        self.lastModified = lastModified
        self.userMetadata = userMetadata
    }
}
