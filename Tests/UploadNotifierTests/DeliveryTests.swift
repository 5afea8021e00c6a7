import Clocks
import Foundation
import HTTP
import LambdaRuntime
import LocalLambda
import Logging
import Retrying
import StandardWebhooks
import Testing
import TestSupport
import WebhookVerification

@testable import UploadNotifier

/// A receiver, and a notifier configured to deliver to it.
struct Backend {
    static let apiKey = "sk_test_never_in_logs"
    static let secret = WebhookSecret(key: Array("0123456789abcdef0123456789abcdef".utf8))

    let receiver: WebhookReceiver
    let configuration: NotifierConfiguration

    static func start(_ settings: [String: String] = [:]) async throws -> Backend {
        let receiver = try await WebhookReceiver(apiKey: apiKey, verifier: WebhookVerifier(secrets: [secret]))
        let configuration = try NotifierConfiguration(
            environment: receiver.notifierEnvironment(apiKey: apiKey, secret: secret).merging(settings) { _, new in new })
        return Backend(receiver: receiver, configuration: configuration)
    }

    func deliver(
        _ key: String = "audio-files/u-1/temp/f-1.wav", deadlineIn: Duration = .seconds(20), traceID: String? = "Root=1-abc",
        time: RetryTime = SkippedPauses().time
    ) async throws -> DeliveryOutcome {
        guard case .notify(let notification) = RecordClassifier.classify(record(key), configuration: configuration) else {
            throw ReplayError("\(key) is not an upload")
        }
        let context = Self.context(deadlineIn: deadlineIn, traceID: traceID)
        let configuration = self.configuration
        return try await runBlocking { () throws -> DeliveryOutcome in
            WebhookDelivery(
                configuration: configuration, credentials: try WebhookCredentialStore(configuration: configuration, reader: nil),
                http: try HTTPClient(), time: time
            ).deliver(notification, context: context).withoutLatency
        }
    }

    static func context(deadlineIn: Duration, traceID: String? = nil) -> LambdaContext {
        LambdaContext(
            requestID: "req", deadlineMilliseconds: WallClock.nowMilliseconds() + deadlineIn.wholeMilliseconds,
            traceID: traceID, logger: Logger(label: "test"))
    }
}

extension DeliveryOutcome {
    /// The outcome without its measured latency, to compare with an expected one.
    var withoutLatency: DeliveryOutcome { DeliveryOutcome(attempts: attempts, result: result) }
}

@Suite("Webhook delivery against a loopback receiver")
struct DeliveryTests {
    @Test func deliversOneSignedAuthenticatedWebhook() async throws {
        let backend = try await Backend.start()
        defer { Task { await backend.receiver.shutdown() } }
        let before = WallClock.nowSeconds()
        let outcome = try await backend.deliver()
        let after = WallClock.nowSeconds()
        #expect(outcome == DeliveryOutcome(attempts: 1, result: .delivered(status: 202)))
        let webhook = try #require(backend.receiver.received.first)
        #expect(backend.receiver.received.count == 1)
        #expect(webhook.isAuthentic)
        #expect(webhook.request.method == "POST")
        #expect(webhook.request.path == "/api/v1/audio-files/webhooks/upload-notification")
        #expect(webhook.request.header("Content-Type") == "application/json")
        #expect(webhook.request.header("User-Agent") == "AudioUploadNotifier/\(NotifierVersion.current)")
        #expect(webhook.request.header("X-Amzn-Trace-Id") == "Root=1-abc")
        #expect(webhook.webhookID == WebhookID.make(bucket: "voice-by-auribus-audio-files", key: "audio-files/u-1/temp/f-1.wav", versionID: nil, sequencer: "0055AED6DCD90281E5"))
        let timestamp = try #require(Int64(webhook.request.header("webhook-timestamp") ?? ""))
        #expect((before...after).contains(timestamp))  // signed when sent, not made up
    }

    @Test func noTraceHeaderWithoutATrace() async throws {
        let backend = try await Backend.start()
        defer { Task { await backend.receiver.shutdown() } }
        _ = try await backend.deliver(traceID: nil)
        #expect(backend.receiver.received.first?.request.header("X-Amzn-Trace-Id") == nil)
    }

    @Test func retriesA503WithTheSameIDAndAFreshSignature() async throws {
        let backend = try await Backend.start()
        defer { Task { await backend.receiver.shutdown() } }
        backend.receiver.script([.status(503)])
        let clock = SkippedPauses()
        let outcome = try await backend.deliver(time: clock.time)
        #expect(outcome == DeliveryOutcome(attempts: 2, result: .delivered(status: 202)))
        #expect(clock.pauses == [.milliseconds(125)])  // full jitter: half (random 0.5) of the first 250 ms
        let received = backend.receiver.received
        #expect(received.count == 2)
        #expect(received[0].webhookID == received[1].webhookID)
        #expect(received.allSatisfy { $0.isAuthentic })
    }

    @Test func retriesAfterADroppedConnection() async throws {
        let backend = try await Backend.start()
        defer { Task { await backend.receiver.shutdown() } }
        backend.receiver.script([.dropConnection])
        #expect(try await backend.deliver() == DeliveryOutcome(attempts: 2, result: .delivered(status: 202)))
    }

    @Test func honoursRetryAfter() async throws {
        let backend = try await Backend.start()
        defer { Task { await backend.receiver.shutdown() } }
        backend.receiver.script([.status(429, headers: [("Retry-After", "1")])])
        let clock = SkippedPauses()
        let outcome = try await backend.deliver(time: clock.time)
        #expect(outcome.result == .delivered(status: 202))
        #expect(clock.pauses == [.seconds(1)])
    }

    @Test(arguments: [400, 401, 404, 422])
    func clientErrorsFailAtOnce(status: Int) async throws {
        let backend = try await Backend.start()
        defer { Task { await backend.receiver.shutdown() } }
        backend.receiver.script([.status(status)])
        #expect(try await backend.deliver() == DeliveryOutcome(attempts: 1, result: .failed(.rejected(status: status))))
        #expect(backend.receiver.received.count == 1)
    }

    @Test func redirectsAreNotFollowed() async throws {
        let backend = try await Backend.start()
        defer { Task { await backend.receiver.shutdown() } }
        backend.receiver.script([.status(307, headers: [("Location", backend.receiver.baseURL + "/elsewhere")])])
        #expect(try await backend.deliver() == DeliveryOutcome(attempts: 1, result: .failed(.rejected(status: 307))))
        #expect(backend.receiver.received.count == 1)
    }

    @Test func givesUpAfterMaxAttempts() async throws {
        let backend = try await Backend.start(["WEBHOOK_MAX_ATTEMPTS": "3"])
        defer { Task { await backend.receiver.shutdown() } }
        backend.receiver.script(Array(repeating: .status(500), count: 5))
        let clock = SkippedPauses()
        #expect(try await backend.deliver(time: clock.time) == DeliveryOutcome(attempts: 3, result: .failed(.exhausted(last: "HTTP 500"))))
        #expect(backend.receiver.received.count == 3)
        #expect(clock.pauses == [.milliseconds(125), .milliseconds(250)])  // doubling, half of each ceiling
    }

    @Test func slowBackendTimesOutEachAttempt() async throws {
        let backend = try await Backend.start(["WEBHOOK_MAX_ATTEMPTS": "2", "WEBHOOK_TIMEOUT_MS": "300"])
        defer { Task { await backend.receiver.shutdown() } }
        backend.receiver.script([.delay(.seconds(2)), .delay(.seconds(2))])
        let outcome = try await backend.deliver()
        #expect(outcome.attempts == 2)
        // Without the 300 ms limit each attempt would have been answered 202 after 2 s.
        guard case .failed(.exhausted(let last)) = outcome.result else {
            Issue.record("expected exhausted attempts, got \(outcome)")
            return
        }
        #expect(last.contains("timed out"))
        #expect(timedOutAfter(last).map { $0 < 1000 } == true, "\(last)")
    }

    @Test func unreachableBackendExhaustsAttempts() async throws {
        let backend = try await Backend.start(["WEBHOOK_MAX_ATTEMPTS": "2"])
        await backend.receiver.shutdown()
        let outcome = try await backend.deliver()
        guard case .failed(.exhausted(let last)) = outcome.result else {
            Issue.record("expected exhausted attempts, got \(outcome)")
            return
        }
        #expect(outcome.attempts == 2)
        #expect(last.contains("connection failed"))
    }

    @Test func stopsBeforeTheDeadlineRatherThanWaitForRetryAfter() async throws {
        let backend = try await Backend.start()
        defer { Task { await backend.receiver.shutdown() } }
        backend.receiver.script([.status(503, headers: [("Retry-After", "30")])])
        let clock = SkippedPauses()
        // 30 s asked for, 10 s left: the pause cannot end in time, however slowly the host answers.
        let outcome = try await backend.deliver(deadlineIn: .seconds(10), time: clock.time)
        #expect(outcome == DeliveryOutcome(attempts: 1, result: .failed(.outOfTime(last: "HTTP 503"))))
        #expect(clock.pauses.isEmpty)  // a pause it could not finish was never started
    }

    @Test func attemptTimeoutShrinksToTheTimeLeft() async throws {
        let backend = try await Backend.start(["WEBHOOK_TIMEOUT_MS": "10000"])
        defer { Task { await backend.receiver.shutdown() } }
        backend.receiver.script([.delay(.seconds(5))])
        let outcome = try await backend.deliver(deadlineIn: .milliseconds(1500))
        guard case .failed(.outOfTime(let last?)) = outcome.result else {
            Issue.record("expected to run out of time, got \(outcome)")
            return
        }
        // With WEBHOOK_TIMEOUT_MS (10 s) the 5 s answer would have been a 202. libcurl gave up by the
        // invocation's deadline; the exact limit (time left less the reserve, ≈ 1 s) is
        // `AttemptTimeoutTests`' to check, on a frozen clock: libcurl's own count may pass it by a few
        // milliseconds on a loaded machine.
        #expect(outcome.attempts == 1)
        #expect(timedOutAfter(last).map { $0 < 1500 } == true, "\(last)")
    }

    @Test func noAttemptWhenTheDeadlineHasPassed() async throws {
        let backend = try await Backend.start()
        defer { Task { await backend.receiver.shutdown() } }
        #expect(try await backend.deliver(deadlineIn: .milliseconds(300)) == DeliveryOutcome(attempts: 0, result: .failed(.outOfTime(last: nil))))
        #expect(backend.receiver.received.isEmpty)
    }
}

/// The limit each attempt gets, read from what the delivery hands its transport, on a frozen clock.
@Suite struct AttemptTimeoutTests {
    func firstAttemptTimeout(settings: [String: String], deadlineIn: Duration) throws -> (sent: Duration?, timeLeft: Duration) {
        let configuration = try NotifierConfiguration(environment: [
            "API_BASE_URL": "http://127.0.0.1:9", "WEBHOOK_API_KEY": Backend.apiKey, "WEBHOOK_SIGNING_SECRET": Backend.secret.encoded,
        ].merging(settings) { _, new in new })
        guard case .notify(let notification) = RecordClassifier.classify(record("audio-files/u-1/temp/f-1.wav"), configuration: configuration) else {
            throw ReplayError("not an upload")
        }
        let context = Backend.context(deadlineIn: deadlineIn)
        let frozen = ContinuousClock.now
        let transport = ScriptedTransport([.success(HTTPResponse(status: 202))])
        let delivery = WebhookDelivery(
            configuration: configuration, credentials: try WebhookCredentialStore(configuration: configuration, reader: nil),
            http: transport, time: RetryTime(now: { frozen }, pause: { _ in }, random: { 0.5 }))
        #expect(delivery.deliver(notification, context: context).withoutLatency == DeliveryOutcome(attempts: 1, result: .delivered(status: 202)))
        return (transport.sent.first?.timeout, context.deadline - WebhookDelivery.reportingReserve - frozen)
    }

    @Test func anAttemptGetsWhatTheDeadlineLeavesWhenThatIsLess() throws {
        let (sent, timeLeft) = try firstAttemptTimeout(settings: ["WEBHOOK_TIMEOUT_MS": "10000"], deadlineIn: .milliseconds(1500))
        #expect(timeLeft <= .seconds(1))  // well under WEBHOOK_TIMEOUT_MS: the deadline is what limits
        #expect(sent == timeLeft)
    }

    @Test func anAttemptGetsWebhookTimeoutWhenTheDeadlineIsFar() throws {
        let (sent, _) = try firstAttemptTimeout(settings: ["WEBHOOK_TIMEOUT_MS": "700"], deadlineIn: .seconds(20))
        #expect(sent == .milliseconds(700))
    }
}

@Suite("UploadNotifierHandler end to end in process")
struct HandlerTests {
    func handle(_ event: String, backend: Backend) async throws -> [UInt8] {
        let configuration = backend.configuration
        let context = Backend.context(deadlineIn: .seconds(20))
        return try await runBlocking { () throws -> [UInt8] in
            try UploadNotifierHandler(
                configuration: configuration, credentials: try WebhookCredentialStore(configuration: configuration, reader: nil),
                transport: try HTTPClient()
            ).handle(Array(event.utf8), context: context)
        }
    }

    @Test func summarisesDeliveredAndSkippedRecords() async throws {
        let backend = try await Backend.start()
        defer { Task { await backend.receiver.shutdown() } }
        let event = try String(contentsOf: eventsDirectory.appendingPathComponent("batch-mixed.json"), encoding: .utf8)
        let summary = try JSONDecoder().decode(InvocationSummary.self, from: Data(try await handle(event, backend: backend)))
        #expect(summary.delivered == 2)
        #expect(summary.skipped == 2)
        #expect(summary.results.map(\.outcome) == [.delivered, .skipped, .skipped, .delivered])
        #expect(summary.results[0].webhookId != nil && summary.results[0].reason == nil)
        #expect(summary.results[1].reason?.contains("short/") == true)
        #expect(backend.receiver.received.count == 2)
    }

    @Test func failedDeliveryFailsTheInvocationNamingTheKey() async throws {
        let backend = try await Backend.start(["WEBHOOK_MAX_ATTEMPTS": "1"])
        defer { Task { await backend.receiver.shutdown() } }
        backend.receiver.script([.status(200), .status(500)])
        let event = try String(contentsOf: eventsDirectory.appendingPathComponent("batch-mixed.json"), encoding: .utf8)
        do {
            _ = try await handle(event, backend: backend)
            Issue.record("expected WebhookDeliveryFailed")
        } catch let error as WebhookDeliveryFailed {
            #expect(error.errorType == "WebhookDeliveryFailed")
            #expect(error.failures.map(\.key) == ["audio-files/u-2/temp/b.ogg"])
            #expect(error.errorMessage.contains("audio-files/u-2/temp/b.ogg (HTTP 500, attempts exhausted after 1 attempt)"))
            #expect(error.errorMessage.contains("1 delivered"))
            #expect(!error.errorMessage.contains(Backend.apiKey))
        }
    }

    @Test func testEventIsAcknowledged() async throws {
        let backend = try await Backend.start()
        defer { Task { await backend.receiver.shutdown() } }
        let event = try String(contentsOf: eventsDirectory.appendingPathComponent("s3-test-event.json"), encoding: .utf8)
        let summary = try JSONDecoder().decode(InvocationSummary.self, from: Data(try await handle(event, backend: backend)))
        #expect(summary == InvocationSummary(delivered: 0, skipped: 0, results: [], testEvent: true))
        #expect(backend.receiver.received.isEmpty)
    }

    @Test func invalidEventIsTyped() async throws {
        let backend = try await Backend.start()
        defer { Task { await backend.receiver.shutdown() } }
        await #expect(throws: InvalidEventError(reason: "the event is not a JSON object")) {
            _ = try await handle("[1]", backend: backend)
        }
    }
}

/// The milliseconds in libcurl's "Operation timed out after N milliseconds …".
func timedOutAfter(_ message: String) -> Int64? {
    guard let range = message.range(of: "timed out after ") else { return nil }
    return Int64(message[range.upperBound...].prefix { $0.isNumber })
}

let eventsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../events").standardized
