import Clocks
import Foundation
import HTTP
import LambdaRuntime
import LocalLambda
import Logging
import Synchronization
import Testing

@testable import UploadNotifier

/// Keeps every log line (message and metadata rendered as text), to check what an operator sees.
final class RecordedLog: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "test") { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: RecordedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            log.lines.withLock { $0.append("\(event.level) \(event.message) \(fields)") }
        }
    }
}

@Suite("SQS batches: partial batch failure")
struct BatchHandlerTests {
    func handle(_ name: String, backend: Backend, log: RecordedLog = RecordedLog()) async throws -> [String: [[String: String]]] {
        let configuration = backend.configuration
        let event = Array(try Data(contentsOf: eventsDirectory.appendingPathComponent(name)))
        let context = LambdaContext(
            requestID: "req", deadlineMilliseconds: WallClock.nowMilliseconds() + 20_000, traceID: nil, logger: log.logger)
        let bytes = try await runBlocking { () throws -> [UInt8] in
            try UploadNotifierHandler(
                configuration: configuration, credentials: try WebhookCredentialStore(configuration: configuration, reader: nil),
                transport: try HTTPClient()
            ).handle(event, context: context)
        }
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: [[String: String]]])
    }

    func failures(_ answer: [String: [[String: String]]]) -> [String]? {
        answer["batchItemFailures"]?.compactMap { $0["itemIdentifier"] }
    }

    @Test func oneRejectedUploadAndOneMalformedBodyAreExactlyTheFailures() async throws {
        let backend = try await Backend.start(["WEBHOOK_MAX_ATTEMPTS": "1"])
        defer { Task { await backend.receiver.shutdown() } }
        backend.receiver.reject(keys: ["audio-files/u-1/temp/rejected.wav"])
        let log = RecordedLog()
        let answer = try await handle("sqs-partial-failure.json", backend: backend, log: log)
        #expect(failures(answer) == ["11111111-aaaa-4aaa-8aaa-000000000002", "11111111-aaaa-4aaa-8aaa-000000000003"])
        #expect(answer.count == 1)
        #expect(Set(try backend.receiver.received.compactMap(webhookKey)) == ["audio-files/u-1/temp/ok.wav", "audio-files/u-1/temp/rejected.wav"])
        let lines = log.lines.withLock { $0 }
        #expect(lines.contains { $0.hasPrefix("error SQS message is not an S3 notification") && $0.contains("messageId=11111111-aaaa-4aaa-8aaa-000000000003") })
        #expect(!lines.joined().contains(Backend.apiKey))
    }

    @Test func anAllGoodBatchAnswersAnEmptyList() async throws {
        let backend = try await Backend.start()
        defer { Task { await backend.receiver.shutdown() } }
        let answer = try await handle("sqs-upload.json", backend: backend)
        #expect(failures(answer) == [])
        #expect(backend.receiver.received.count == 2)
        #expect(backend.receiver.received.allSatisfy { $0.isAuthentic })
    }

    @Test func aFIFOGroupAfterAFailureIsReportedAndNotDelivered() async throws {
        let backend = try await Backend.start(["WEBHOOK_MAX_ATTEMPTS": "1"])
        defer { Task { await backend.receiver.shutdown() } }
        backend.receiver.reject(keys: ["audio-files/u-b/temp/rejected.wav"])
        let answer = try await handle("sqs-fifo-group-failure.json", backend: backend)
        #expect(failures(answer) == ["22222222-bbbb-4bbb-8bbb-000000000002", "22222222-bbbb-4bbb-8bbb-000000000004"])
        let sent = Set(try backend.receiver.received.compactMap(webhookKey))
        #expect(sent == ["audio-files/u-a/temp/first.wav", "audio-files/u-a/temp/second.wav", "audio-files/u-b/temp/rejected.wav"])
    }
}

func webhookKey(_ webhook: ReceivedWebhook) throws -> String? {
    let body = try JSONSerialization.jsonObject(with: Data(webhook.request.body)) as? [String: Any]
    return (body?["data"] as? [String: Any])?["key"] as? String
}
