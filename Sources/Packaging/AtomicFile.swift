import Foundation

/// Writes a file so readers see the old contents or the new, never a half-written one.
///
/// Not `Data.write(options: .atomic)`: on Linux that leaves an empty `TemporaryDirectory.*`
/// folder in /tmp on every call. A sibling temporary file and rename(2) does the same job.
enum AtomicFile {
    static func write(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try data.write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: reason])
        }
    }
}
