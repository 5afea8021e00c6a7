#if canImport(Glibc)
import Glibc
#endif

/// Where EMF documents go: standard output, which Lambda sends to the function's log stream like
/// the log lines on standard error. Each document is one `write(2)` of one whole line, so it is never
/// interleaved with a log line, whatever the log format.
public enum MetricsLog {
    public static func writeToStandardOutput(_ line: [UInt8]) {
        line.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(1, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }  // nowhere to report a failing log pipe
                offset += written
            }
        }
    }
}
