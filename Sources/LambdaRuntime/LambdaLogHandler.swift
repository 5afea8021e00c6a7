import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Log lines on stderr in the two shapes Lambda's own runtimes write.
///
/// Text: `2026-11-29T03:44:53.123Z	<request id>	INFO	message key=value`.
/// JSON (`AWS_LAMBDA_LOG_FORMAT=JSON`): one object per line with `timestamp`, `level`, `message`,
/// `requestId` and the metadata as further fields.
public struct LambdaLogHandler: LogHandler {
    public enum Format: Sendable { case text, json }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let format: Format
    private let write: @Sendable (String) -> Void

    public init(format: Format, level: Logger.Level, write: @escaping @Sendable (String) -> Void = LambdaLogHandler.writeToStandardError) {
        self.format = format
        self.logLevel = level
        self.write = write
    }

    /// Reads `AWS_LAMBDA_LOG_FORMAT` and `AWS_LAMBDA_LOG_LEVEL` (TRACE, DEBUG, INFO, WARN, ERROR, FATAL).
    public init(environment: EnvironmentVariables) {
        let format: Format = environment["AWS_LAMBDA_LOG_FORMAT"]?.uppercased() == "JSON" ? .json : .text
        let level = environment["AWS_LAMBDA_LOG_LEVEL"].flatMap(Self.level(named:)) ?? .info
        self.init(format: format, level: level)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public static func level(named name: String) -> Logger.Level? {
        switch name.uppercased() {
        case "TRACE": .trace
        case "DEBUG": .debug
        case "INFO": .info
        case "WARN", "WARNING": .warning
        case "ERROR": .error
        case "FATAL", "CRITICAL": .critical
        default: nil
        }
    }

    static func name(of level: Logger.Level) -> String {
        switch level {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info, .notice: "INFO"
        case .warning: "WARN"
        case .error: "ERROR"
        case .critical: "FATAL"
        }
    }

    public func log(event: LogEvent) {
        var fields = self.metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        let requestID = fields.removeValue(forKey: "requestId").map { "\($0)" }
        let timestamp = Self.timestamp()
        let levelName = Self.name(of: event.level)
        var line = ""
        switch format {
        case .text:
            line = "\(timestamp)\t\(requestID ?? "-")\t\(levelName)\t\(event.message)"
            for key in fields.keys.sorted() { line += " \(key)=\(fields[key]!)" }
        case .json:
            line = #"{"timestamp":""# + timestamp + #"","level":""# + levelName + #"","message":"#
            JSONText.appendString("\(event.message)", to: &line)
            if let requestID {
                line += #","requestId":"#
                JSONText.appendString(requestID, to: &line)
            }
            for key in fields.keys.sorted() where !["timestamp", "level", "message"].contains(key) {
                line += ","
                JSONText.appendString(key, to: &line)
                line += ":"
                JSONText.appendString("\(fields[key]!)", to: &line)
            }
            line += "}"
        }
        write(line + "\n")
    }

    /// One write(2) per line, so lines from one process never interleave mid-line.
    public static let writeToStandardError: @Sendable (String) -> Void = { line in
        var line = line
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// RFC 3339 UTC with milliseconds, without Foundation's formatters (they cost start-up time).
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}
