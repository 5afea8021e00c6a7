import Foundation
import ZIPFoundation

/// Writes the deployment zip Lambda expects for an OS-only runtime: a single executable `bootstrap`.
///
/// Deterministic by construction: fixed entry name, fixed DOS timestamp, fixed permissions and
/// deflate, written in memory and then to disk — the same binary always gives the same bytes,
/// so the CodeSha256 only changes when the code does.
public enum BootstrapArchiver {
    public static let entryName = "bootstrap"
    /// rwxr-xr-x. ZIPFoundation stores it in the external attributes' high 16 bits with
    /// "version made by" = Unix (3); without that, Lambda cannot exec the file (permission denied).
    public static let permissions: UInt16 = 0o755
    /// 1980-01-01 00:00:00 UTC, the earliest DOS date a zip can hold (ZIPFoundation converts with gmtime).
    public static let modificationDate = Date(timeIntervalSince1970: 315_532_800)

    /// Zips `binary` as `bootstrap` into `zip`, replacing any existing file.
    public static func write(binary: URL, to zip: URL) throws {
        let contents: Data
        do {
            contents = try Data(contentsOf: binary)
        } catch {
            throw PackagingError.binaryNotFound(path: binary.path)
        }
        let archive = try archiveData(bootstrap: contents)
        do {
            try FileManager.default.createDirectory(
                at: zip.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(archive, to: zip)
        } catch {
            throw PackagingError.archiveFailed(reason: "\(zip.path): \(error.localizedDescription)")
        }
    }

    /// The zip bytes for a `bootstrap` with the given contents.
    public static func archiveData(bootstrap contents: Data) throws -> Data {
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            try archive.addEntry(
                with: entryName,
                type: .file,
                uncompressedSize: Int64(contents.count),
                modificationDate: modificationDate,
                permissions: permissions,
                compressionMethod: .deflate,
                provider: { position, size in
                    let start = Int(position)
                    return contents.subdata(in: start..<min(start + size, contents.count))
                }
            )
            guard let data = archive.data else { throw PackagingError.archiveFailed(reason: "no in-memory archive data") }
            return data
        } catch let error as PackagingError {
            throw error
        } catch {
            throw PackagingError.archiveFailed(reason: "\(error)")
        }
    }
}

/// One entry of a zip, as ZIPFoundation reads it back; used to verify what was written.
public struct ArchivedFile: Sendable, Equatable {
    public var path: String
    public var isRegularFile: Bool
    /// POSIX permission bits from the Unix external attributes (nil when not recorded).
    public var permissions: UInt16?
    public var isCompressed: Bool
    public var modificationDate: Date?
    public var contents: Data
}

extension BootstrapArchiver {
    /// Reads every entry of `zip` back (checking CRCs), in archive order.
    public static func readEntries(of zip: URL) throws -> [ArchivedFile] {
        let archive: Archive
        do {
            archive = try Archive(url: zip, accessMode: .read)
        } catch {
            throw PackagingError.invalidArchive(reason: "\(zip.path) is not a readable zip: \(error)")
        }
        var files: [ArchivedFile] = []
        for entry in archive {
            var contents = Data()
            do {
                _ = try archive.extract(entry) { contents.append($0) }
            } catch {
                throw PackagingError.invalidArchive(reason: "\(entry.path): \(error)")
            }
            let attributes = entry.fileAttributes
            files.append(ArchivedFile(
                path: entry.path,
                isRegularFile: entry.type == .file,
                permissions: (attributes[.posixPermissions] as? NSNumber).map { UInt16(truncatingIfNeeded: $0.intValue) },
                isCompressed: entry.isCompressed,
                modificationDate: attributes[.modificationDate] as? Date,
                contents: contents
            ))
        }
        return files
    }
}
