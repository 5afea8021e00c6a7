import Logging
import TextBytes
import Threads

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
    public let format: Format
    private let write: @Sendable ([UInt8]) -> Void

    public init(format: Format, level: Logger.Level, write: @escaping @Sendable ([UInt8]) -> Void = LambdaLogHandler.writeToStandardError) {
        self.format = format
        self.logLevel = level
        self.write = write
    }

    public init(settings: LogSettings) {
        self.init(format: settings.format, level: settings.level)
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
        // The handler's metadata overridden by the event's, in key order, without merging the two
        // dictionaries into a third (a line per invocation is on the hot path).
        let extra = event.metadata ?? [:]
        var requestID: String?
        var fields: [(key: String, value: Logger.Metadata.Value)] = []
        fields.reserveCapacity(metadata.count + extra.count)
        for (key, value) in metadata where extra.isEmpty || extra[key] == nil {
            if key == "requestId" { requestID = value.description } else { fields.append((key, value)) }
        }
        for (key, value) in extra {
            if key == "requestId" { requestID = value.description } else { fields.append((key, value)) }
        }
        if fields.count > 1 { fields.sort { $0.key < $1.key } }
        var line: [UInt8] = []
        line.reserveCapacity(160)
        switch format {
        case .text:
            // Messages and values carry outside text (object keys, the backend's headers): escaped, so
            // that one log call stays one line and nobody can forge a line of ours.
            Self.appendTimestamp(to: &line)
            line.append(UInt8(ascii: "\t"))
            Self.appendEscaped(requestID ?? "-", to: &line)
            line.append(UInt8(ascii: "\t"))
            line.append(contentsOf: Self.name(of: event.level).utf8)
            line.append(UInt8(ascii: "\t"))
            Self.appendEscaped(event.message.description, to: &line)
            for (key, value) in fields {
                line.append(UInt8(ascii: " "))
                Self.appendEscaped(key, to: &line)
                line.append(UInt8(ascii: "="))
                Self.appendEscaped(value.description, to: &line)
            }
        case .json:
            JSONText.appendRaw(#"{"timestamp":""#, to: &line)
            Self.appendTimestamp(to: &line)
            JSONText.appendRaw(#"","level":""#, to: &line)
            line.append(contentsOf: Self.name(of: event.level).utf8)
            line.append(UInt8(ascii: "\""))
            JSONText.appendMember("message", event.message.description, to: &line)
            if let requestID { JSONText.appendMember("requestId", requestID, to: &line) }
            for (key, value) in fields where key != "timestamp" && key != "level" && key != "message" {
                line.append(UInt8(ascii: ","))
                JSONText.appendString(key, to: &line)
                line.append(UInt8(ascii: ":"))
                JSONText.appendString(value.description, to: &line)
            }
            line.append(UInt8(ascii: "}"))
        }
        line.append(UInt8(ascii: "\n"))
        write(line)
    }

    /// Appends `text` for the Text format: control bytes (below 0x20 but tab, and 0x7F) as `\n`, `\r`
    /// or `\xHH`, and the backslash as `\\`, so that an escape in the log always means a byte that
    /// was there. Everything else, UTF-8 included, is written as it is.
    static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        text.withUTF8Bytes { bytes in
            func needsEscape(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != 0x09) || byte == 0x7F || byte == 0x5C }
            guard bytes.contains(where: needsEscape) else {
                out.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                guard needsEscape(byte) else {
                    out.append(byte)
                    continue
                }
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x5C: out.append(UInt8(ascii: "\\"))
                default:
                    out.append(UInt8(ascii: "x"))
                    ASCII.appendHex(byte, uppercase: true, to: &out)
                }
            }
        }
    }

    /// One line at a time for the whole process (``WholeLineWriter``), so that lines from concurrent
    /// invocations may follow each other in any order but never mix within a line.
    public static let writeToStandardError: @Sendable ([UInt8]) -> Void = { WholeLineWriter.standardError($0) }

    /// RFC 3339 UTC with milliseconds (`2026-11-29T03:44:53.123Z`), without Foundation's
    /// formatters (they cost start-up time).
    static func appendTimestamp(to out: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int, then separator: UInt8?) {
            var divisor: Int32 = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value / divisor % 10))
                divisor /= 10
            }
            if let separator { out.append(separator) }
        }
        digits(parts.tm_year + 1900, 4, then: UInt8(ascii: "-"))
        digits(parts.tm_mon + 1, 2, then: UInt8(ascii: "-"))
        digits(parts.tm_mday, 2, then: UInt8(ascii: "T"))
        digits(parts.tm_hour, 2, then: UInt8(ascii: ":"))
        digits(parts.tm_min, 2, then: UInt8(ascii: ":"))
        digits(parts.tm_sec, 2, then: UInt8(ascii: "."))
        digits(Int32(now.tv_nsec / 1_000_000), 3, then: UInt8(ascii: "Z"))
    }
}
