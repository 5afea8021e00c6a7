import Foundation
import Logging
import Testing

@testable import LambdaLogging
import ProcessEnvironment
import Threads

final class Lines: Sendable {
    private let stored = Locked<[String]>([])
    func append(_ line: String) { stored.withLock { $0.append(line) } }
    var all: [String] { stored.withLock { $0 } }
}

@Suite struct LogHandlerTests {
    func logger(_ format: LambdaLogHandler.Format, level: Logger.Level = .info, into lines: Lines) -> Logger {
        var logger = Logger(label: "t") { _ in LambdaLogHandler(format: format, level: level) { lines.append(String(decoding: $0, as: UTF8.self)) } }
        logger[metadataKey: "requestId"] = "req-1"
        return logger
    }

    @Test func textLinesCarryTimestampRequestIDLevelAndFields() throws {
        let lines = Lines()
        logger(.text, into: lines).warning("slow backend", metadata: ["key": "a/b.wav"])
        let line = try #require(lines.all.first)
        let columns = line.split(separator: "\t")
        #expect(columns.count == 4)
        #expect(columns[0].count == 24 && columns[0].hasSuffix("Z"))
        #expect(columns[1] == "req-1")
        #expect(columns[2] == "WARN")
        #expect(columns[3] == "slow backend key=a/b.wav\n")
    }

    @Test func jsonLinesAreOneObjectEach() throws {
        let lines = Lines()
        logger(.json, into: lines).info("delivered \"x\"\nok", metadata: ["status": "202"])
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "INFO")
        #expect(object["message"] as? String == "delivered \"x\"\nok")
        #expect(object["requestId"] as? String == "req-1")
        #expect(object["status"] as? String == "202")
        #expect((object["timestamp"] as? String)?.hasSuffix("Z") == true)
    }

    @Test func jsonLinesNameTheTenantAndTraceWhenTheInvocationHasThem() throws {
        let lines = Lines()
        var log = logger(.json, into: lines)
        log[metadataKey: "tenantId"] = "tenant-42"
        log[metadataKey: "traceId"] = "Root=1-abc"
        log.info("delivered")
        let line = try #require(lines.all.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["requestId"] as? String == "req-1")
        #expect(object["tenantId"] as? String == "tenant-42")
        #expect(object["traceId"] as? String == "Root=1-abc")
    }

    @Test func lineMetadataOverridesTheLoggersAndFieldsAreSorted() throws {
        let lines = Lines()
        var log = logger(.text, into: lines)
        log[metadataKey: "zone"] = "a"
        log[metadataKey: "key"] = "from-logger"
        log.info("m", metadata: ["key": "from-line", "attempt": "2"])
        log.info("n", metadata: ["requestId": "req-2"])
        let all = lines.all
        #expect(all[0].split(separator: "\t")[3] == "m attempt=2 key=from-line zone=a\n")
        #expect(all[1].split(separator: "\t")[1] == "req-2")
        #expect(all[1].split(separator: "\t")[3] == "n key=from-logger zone=a\n")
    }

    /// Object keys and backend headers reach the log: in Text, one call must stay one line, and what
    /// was escaped must be visible as such.
    @Test(arguments: [
        ("x\nFORGED-LINE level=ERROR.mp3", #"x\nFORGED-LINE level=ERROR.mp3"#),
        ("a\r\nb", #"a\r\nb"#),
        ("\u{1B}[31mred", #"\x1B[31mred"#),
        ("nul\u{0}del\u{7F}", #"nul\x00del\x7F"#),
        ("back\\slash\\n", #"back\\slash\\n"#),
        ("tab\tand é🎵 stay", "tab\tand é🎵 stay"),
    ])
    func textEscapesControlBytesInEveryPart(raw: String, escaped: String) throws {
        let lines = Lines()
        var log = logger(.text, into: lines)
        log[metadataKey: "requestId"] = .string(raw)
        log.warning("\(raw)", metadata: ["key": .string(raw), raw: "v"])
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("\n") && line.dropLast().allSatisfy { $0 != "\n" && $0 != "\r" })
        #expect(line.utf8.allSatisfy { $0 >= 0x20 || $0 == 0x09 || $0 == 0x0A } && !line.utf8.contains(0x7F))
        #expect(line.contains("\t\(escaped)\tWARN\t\(escaped) "), "request id and message")
        #expect(line.contains("key=\(escaped)"))
        #expect(line.contains(" \(escaped)=v"))
    }

    @Test func levelFilters() {
        let lines = Lines()
        let log = logger(.json, level: .error, into: lines)
        log.info("hidden")
        log.warning("hidden")
        log.error("shown")
        log.critical("shown")
        #expect(lines.all.count == 2)
    }

    @Test(arguments: [
        ("TRACE", Logger.Level.trace), ("debug", .debug), ("INFO", .info), ("WARN", .warning),
        ("ERROR", .error), ("FATAL", .critical),
    ])
    func awsLevelNames(name: String, level: Logger.Level) {
        #expect(LambdaLogHandler.level(named: name) == level)
    }

    @Test func unknownSettingsAreNamedForAWarning() {
        #expect(LogSettings(environment: EnvironmentVariables([:])).problems.isEmpty)
        let read = LogSettings(environment: EnvironmentVariables(["AWS_LAMBDA_LOG_FORMAT": "json", "AWS_LAMBDA_LOG_LEVEL": "warn"]))
        #expect(read.problems.isEmpty && read.format == .json && read.level == .warning)
        let problems = LogSettings(environment: EnvironmentVariables(["AWS_LAMBDA_LOG_FORMAT": "XML", "AWS_LAMBDA_LOG_LEVEL": "LOUD"])).problems
        #expect(problems == [
            "AWS_LAMBDA_LOG_FORMAT \"XML\" is neither Text nor JSON: logging as Text",
            "AWS_LAMBDA_LOG_LEVEL \"LOUD\" is not one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL: logging at INFO",
        ])
    }

    @Test func unknownLevelNameIsNil() {
        #expect(LambdaLogHandler.level(named: "LOUD") == nil)
    }
}
