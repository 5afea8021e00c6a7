import TextBytes

/// A decoded object key of the form `{prefix}{userId}/temp/{fileName}`: a client's upload.
public struct UploadKey: Sendable, Equatable {
    public var userID: String
    public var fileName: String
    /// `fileName` without its last extension.
    public var fileID: String
    /// The text after the last `.` of `fileName`; nil when there is no dot or nothing after it.
    public var fileExtension: String?

    /// Parses a decoded key, or says why it is not an upload to notify about.
    ///
    /// Works on the key's UTF-8 bytes, as S3 does: `/` separates segments wherever it occurs, even
    /// before a combining mark (a `Character`-level split would not see it there).
    public static func parse(_ key: String, prefix: String) -> Result<UploadKey, SkipReason> {
        key.withUTF8Bytes { key in prefix.withUTF8Bytes { prefix in parse(key, prefix: prefix) } }
    }

    private static func parse(_ key: UnsafeBufferPointer<UInt8>, prefix: UnsafeBufferPointer<UInt8>) -> Result<UploadKey, SkipReason> {
        guard key.starts(with: prefix) else { return .failure(.outsidePrefix) }
        let slash = UInt8(ascii: "/")
        let body = key[prefix.count...]
        guard let userEnd = body.firstIndex(of: slash) else { return .failure(.notAnUpload) }
        let folderEnd = body[(userEnd + 1)...].firstIndex(of: slash) ?? body.endIndex
        let folder = body[(userEnd + 1)..<folderEnd]
        if folder.elementsEqual("short".utf8) || folder.elementsEqual("inference".utf8) {
            return .failure(.preprocessingOutput(folder: text(folder)))
        }
        guard folder.elementsEqual("temp".utf8) else { return .failure(.notAnUpload) }
        let segments = 1 + body.count { $0 == slash }
        guard segments == 3 else {
            return .failure(.malformedKey("expected {userId}/temp/{fileName}, found \(segments) segments"))
        }
        let user = body[..<userEnd]
        let fileName = body[(folderEnd + 1)...]
        if let problem = problem(with: user) { return .failure(.malformedKey("userId \(problem)")) }
        if let problem = problem(with: fileName) { return .failure(.malformedKey("fileName \(problem)")) }
        let fileID: Slice<UnsafeBufferPointer<UInt8>>
        let fileExtension: String?
        if let dot = fileName.lastIndex(of: UInt8(ascii: ".")) {
            fileID = fileName[..<dot]
            let suffix = fileName[(dot + 1)...]
            fileExtension = suffix.isEmpty ? nil : text(suffix)
        } else {
            fileID = fileName
            fileExtension = nil
        }
        guard !fileID.isEmpty else { return .failure(.malformedKey("fileId (the file name before its extension) is empty")) }
        // `...mp3` and `..mp3` pass as file names but leave `..` and `.`: a backend that builds a
        // path from fileId would step out of its folder.
        // Only the dots need checking: the file name around fileId was checked whole above.
        if fileID.count <= 2 && fileID.allSatisfy({ $0 == UInt8(ascii: ".") }) {
            return .failure(.malformedKey("fileId \"\(text(fileID))\" is a relative path segment (path traversal)"))
        }
        return .success(UploadKey(userID: text(user), fileName: text(fileName), fileID: text(fileID), fileExtension: fileExtension))
    }

    /// The key came from a `String`, and segments end at ASCII bytes: always whole UTF-8.
    private static func text(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes), as: UTF8.self)
    }

    private static func problem(with segment: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
        if segment.isEmpty { return "is empty" }
        if segment.elementsEqual(".".utf8) || segment.elementsEqual("..".utf8) { return "is a relative path segment (path traversal)" }
        // The control characters (general category Cc) are exactly U+0000–U+001F, U+007F and
        // U+0080–U+009F, the last encoded as C2 80 … C2 9F.
        var afterC2 = false
        for byte in segment {
            if byte < 0x20 || byte == 0x7F || (afterC2 && byte <= 0x9F) { return "contains a control character" }
            afterC2 = byte == 0xC2
        }
        return nil
    }
}
