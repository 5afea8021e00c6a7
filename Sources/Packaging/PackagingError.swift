import Foundation

/// Failures of the packaging steps around the ELF inspection.
public enum PackagingError: Error, Equatable, Sendable, CustomStringConvertible {
    case binaryNotFound(path: String)
    case toolFailed(tool: String, status: Int32, output: String)
    case archiveFailed(reason: String)
    case invalidArchive(reason: String)
    case digestFailed(file: String)

    public var description: String {
        switch self {
        case .binaryNotFound(let path):
            return "binary not found: \(path) (build it first, e.g. swift build -c release --product bootstrap)"
        case .toolFailed(let tool, let status, let output):
            let detail = output.trimmingCharacters(in: .whitespacesAndNewlines)
            return "\(tool) failed with exit status \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        case .archiveFailed(let reason):
            return "could not write the zip: \(reason)"
        case .invalidArchive(let reason):
            return "unexpected zip content: \(reason)"
        case .digestFailed(let file):
            return "libcrypto could not compute the SHA-256 of \(file)"
        }
    }
}
