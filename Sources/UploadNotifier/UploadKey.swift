/// A decoded object key of the form `{prefix}{userId}/temp/{fileName}`: a client's upload.
public struct UploadKey: Sendable, Equatable {
    public var userID: String
    public var fileName: String
    /// `fileName` without its last extension.
    public var fileID: String
    /// The text after the last `.` of `fileName`; nil when there is no dot or nothing after it.
    public var fileExtension: String?

    /// Parses a decoded key, or says why it is not an upload to notify about.
    public static func parse(_ key: String, prefix: String) -> Result<UploadKey, SkipReason> {
        guard key.hasPrefix(prefix) else { return .failure(.outsidePrefix) }
        let segments = key.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        if segments.count >= 2, ["short", "inference"].contains(segments[1]) {
            return .failure(.preprocessingOutput(folder: String(segments[1])))
        }
        guard segments.count >= 2, segments[1] == "temp" else { return .failure(.notAnUpload) }
        guard segments.count == 3 else {
            return .failure(.malformedKey("expected {userId}/temp/{fileName}, found \(segments.count) segments"))
        }
        let userID = String(segments[0])
        let fileName = String(segments[2])
        if let problem = problem(with: userID) { return .failure(.malformedKey("userId \(problem)")) }
        if let problem = problem(with: fileName) { return .failure(.malformedKey("fileName \(problem)")) }
        let fileID: String
        let fileExtension: String?
        if let dot = fileName.lastIndex(of: ".") {
            fileID = String(fileName[..<dot])
            let suffix = fileName[fileName.index(after: dot)...]
            fileExtension = suffix.isEmpty ? nil : String(suffix)
        } else {
            fileID = fileName
            fileExtension = nil
        }
        guard !fileID.isEmpty else { return .failure(.malformedKey("fileId (the file name before its extension) is empty")) }
        return .success(UploadKey(userID: userID, fileName: fileName, fileID: fileID, fileExtension: fileExtension))
    }

    private static func problem(with segment: String) -> String? {
        if segment.isEmpty { return "is empty" }
        if segment == "." || segment == ".." { return "is a relative path segment" }
        // The control characters (general category Cc) are exactly U+0000–U+001F and U+007F–U+009F;
        // checking the ranges avoids a Unicode property lookup per scalar.
        if segment.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            return "contains a control character"
        }
        return nil
    }
}

/// Why a record is acknowledged without a webhook. A skip is never an error.
public enum SkipReason: Error, Sendable, Equatable, CustomStringConvertible {
    case notObjectCreated(eventName: String?)
    case bucketNotAllowed(String)
    case outsidePrefix
    case preprocessingOutput(folder: String)
    case notAnUpload
    case malformedKeyEncoding(String)
    case malformedKey(String)

    public var description: String {
        switch self {
        case .notObjectCreated(let name): "event \(name ?? "(no eventName)") is not an ObjectCreated event"
        case .bucketNotAllowed(let bucket): "bucket \(bucket) is not in ALLOWED_BUCKETS"
        case .outsidePrefix: "key is outside the audio files prefix"
        case .preprocessingOutput(let folder): "\(folder)/ objects are written by preprocessing, not uploaded by users"
        case .notAnUpload: "key is not under {userId}/temp/"
        case .malformedKeyEncoding(let detail): "key is not validly URL-encoded: \(detail)"
        case .malformedKey(let detail): "malformed upload key: \(detail)"
        }
    }
}
