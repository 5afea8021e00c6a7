#if canImport(Glibc)
import Glibc
#endif

/// Writes whole lines to a file descriptor, one line at a time for the whole process.
///
/// One `write(2)` is atomic only up to `PIPE_BUF` (4096 bytes) on a pipe, and an EMF document or a
/// long log line can be larger; with several workers writing at once, two lines could then
/// interleave. The lock keeps each line whole, whatever its length; uncontended it costs two atomic
/// operations per line.
public enum WholeLineWriter {
    private static let standardOutputLock = Lock()
    private static let standardErrorLock = Lock()

    public static func standardOutput(_ line: [UInt8]) {
        standardOutputLock.withLock { writeAll(line, to: 1) }
    }

    public static func standardError(_ line: [UInt8]) {
        standardErrorLock.withLock { writeAll(line, to: 2) }
    }

    /// Loops over partial writes and EINTR; gives up silently on a closed descriptor, since there is
    /// nowhere left to report that.
    private static func writeAll(_ line: [UInt8], to descriptor: Int32) {
        line.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, base + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
