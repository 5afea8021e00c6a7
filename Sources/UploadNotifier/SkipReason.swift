/// Why a record is acknowledged without a webhook. A skip is never an error.
public enum SkipReason: Error, Sendable, Equatable, CustomStringConvertible {
    case notObjectCreated(eventName: String?)
    case bucketNotAllowed(String)
    case outsidePrefix
    case preprocessingOutput(folder: String)
    case notAnUpload
    case malformedKeyEncoding(String)
    case malformedKey(String)
    /// HeadObject answered 404: the object or version was deleted after the upload.
    case objectNoLongerExists

    public var description: String {
        switch self {
        case .notObjectCreated(let name): "event \(name ?? "(no eventName)") is not an ObjectCreated event"
        case .bucketNotAllowed(let bucket): "bucket \(bucket) is not in ALLOWED_BUCKETS"
        case .outsidePrefix: "key is outside the audio files prefix"
        case .preprocessingOutput(let folder): "\(folder)/ objects are written by preprocessing, not uploaded by users"
        case .notAnUpload: "key is not under {userId}/temp/"
        case .malformedKeyEncoding(let detail): "key is not validly URL-encoded: \(detail)"
        case .malformedKey(let detail): "malformed upload key: \(detail)"
        case .objectNoLongerExists: "object no longer exists (HeadObject answered 404): deleted after the upload"
        }
    }
}
