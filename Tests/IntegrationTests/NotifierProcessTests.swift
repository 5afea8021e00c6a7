import Foundation
import LocalLambda
import StandardWebhooks
import Testing
import WebhookVerification

/// The real `bootstrap` binary: embedded Runtime API in front, verifying receiver behind.
@Suite("Notifier (bootstrap process)")
struct NotifierProcessTests {
    static let apiKey = "sk_integration_api_key_value"
    static let secret = WebhookSecret(key: Array("integration-secret-0123456789abcdef".utf8))

    func start(_ settings: [String: String] = [:]) async throws -> (RunningFunction, WebhookReceiver) {
        let receiver = try await WebhookReceiver(apiKey: Self.apiKey, verifier: WebhookVerifier(secrets: [Self.secret]))
        let function = try await RunningFunction.start(
            "bootstrap", environment: receiver.notifierEnvironment(apiKey: Self.apiKey, secret: Self.secret).merging(settings) { _, new in new })
        return (function, receiver)
    }

    func fixture(_ name: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent("events/\(name)"), encoding: .utf8)
    }

    @Test func deliversAnUploadAndForwardsTheTrace() async throws {
        let (function, receiver) = try await start()
        defer { Task { await function.stop(); await receiver.shutdown() } }
        let result = try await function.invoke(try fixture("upload-single.json"), traceID: "Root=1-67890-abc")
        #expect(json(result)["delivered"] as? Int == 1)
        let webhook = try #require(receiver.received.first)
        #expect(webhook.isAuthentic)
        #expect(webhook.request.header("X-Amzn-Trace-Id") == "Root=1-67890-abc")
    }

    @Test func duplicateDeliveriesCarryTheSameWebhookID() async throws {
        let (function, receiver) = try await start()
        defer { Task { await function.stop(); await receiver.shutdown() } }
        _ = try await function.invoke(try fixture("upload-single.json"))
        _ = try await function.invoke(try fixture("upload-single.json"))
        let ids = receiver.received.map(\.webhookID)
        #expect(ids.count == 2 && ids[0] != nil && ids[0] == ids[1])
    }

    @Test func failedDeliveryIsAnInvocationErrorAndTheProcessServesOn() async throws {
        let (function, receiver) = try await start(["WEBHOOK_MAX_ATTEMPTS": "2"])
        defer { Task { await function.stop(); await receiver.shutdown() } }
        receiver.script([.status(503), .status(503)])
        let failed = try await function.invoke(try fixture("upload-single.json"))
        guard case .error(let type, _) = failed else {
            Issue.record("expected an error, got \(failed)")
            return
        }
        #expect(type == "WebhookDeliveryFailed")
        #expect((json(failed)["errorMessage"] as? String)?.contains("audio-files/4f9c2a61-7d3e-4b8a-9f0e-2c5d8e1a6b3f/temp/0b7e1c55-3f2a-4d9b-8e61-5a4c2d7f9e10.wav") == true)
        #expect(json(try await function.invoke(try fixture("upload-single.json")))["delivered"] as? Int == 1)
    }

    @Test func badConfigurationIsAnInitError() async throws {
        let function = try await RunningFunction.start("bootstrap", environment: [
            "API_BASE_URL": "http://backend.example.com", "WEBHOOK_API_KEY": Self.apiKey,
        ])
        defer { Task { await function.stop() } }
        let report = try await function.api.waitForInitError()
        guard case .error(let type, _) = report else { return }
        #expect(type == "ConfigurationError")
        #expect((json(report)["errorMessage"] as? String)?.hasPrefix("API_BASE_URL") == true)
        #expect(try await function.process.waitForExit() != 0)
    }

    @Test func secretsNeverReachTheLogs() async throws {
        let (function, receiver) = try await start(["AWS_LAMBDA_LOG_LEVEL": "TRACE", "WEBHOOK_MAX_ATTEMPTS": "2"])
        defer { Task { await function.stop(); await receiver.shutdown() } }
        receiver.script([.status(500), .status(401)])
        _ = try await function.invoke(try fixture("upload-single.json"))
        _ = try await function.invoke(try fixture("batch-mixed.json"))
        _ = try await function.invoke("garbage")
        await function.process.stop()
        let logs = function.process.logs
        #expect(logs.contains("webhook"))
        #expect(!logs.contains(Self.apiKey))
        #expect(!logs.contains(Self.secret.encoded))
        #expect(!logs.contains(String(Self.secret.encoded.dropFirst(6).prefix(16))))
    }

    @Test func hostileEventsGetTypedErrorsAndNeverKillTheProcess() async throws {
        let (function, receiver) = try await start()
        defer { Task { await function.stop(); await receiver.shutdown() } }
        var events = [String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000), "", "null", "{\"Records\": {}}"]
        // Mutations of a real event: truncations and single-byte corruptions, from a fixed seed.
        let original = Array(try fixture("batch-mixed.json").utf8)
        var generator = SplitMix64(seed: 42)
        for _ in 0..<150 {
            var bytes = original
            if Bool.random(using: &generator) {
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
            } else {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            events.append(String(decoding: bytes, as: UTF8.self))
        }
        for event in events {
            let result = try await function.invoke(event)
            if case .error(let type, _) = result {
                #expect(["InvalidEvent", "WebhookDeliveryFailed"].contains(type), "\(type ?? "nil") for \(event.prefix(80))")
            }
        }
        #expect(function.process.isRunning)
        #expect(json(try await function.invoke(try fixture("upload-single.json")))["delivered"] as? Int == 1)
    }

    /// A long warm run of the deployed code path, then SIGTERM during one last invocation: served
    /// throughout, that invocation finished, exit status 0. Under `make sanitize` the bootstrap is built
    /// with AddressSanitizer, whose leak check at `exit` turns any leak into a report in the log and a
    /// non-zero status. (SIGTERM while idle ends the process with `_exit`, which skips that check.)
    @Test func aThousandWarmInvocationsThenACleanExit() async throws {
        let (function, receiver) = try await start()
        defer { Task { await receiver.shutdown() } }
        let event = try fixture("upload-single.json")
        var delivered = 0
        for _ in 0..<1000 {
            if json(try await function.invoke(event))["delivered"] as? Int == 1 { delivered += 1 }
        }
        #expect(delivered == 1000)
        #expect(receiver.received.count == 1000)
        receiver.script([.delay(.milliseconds(500))])
        let last = function.api.enqueue(Array(event.utf8))
        // Inside its delivery, not merely handed out: SIGTERM ends a worker still waiting for `next` at once.
        _ = try await Polling.until(timeout: .seconds(20), what: "the last invocation's webhook to arrive") {
            function.api.wasHandedOut(last) && receiver.inFlight == 1 ? true : nil
        }
        function.process.signal(SIGTERM)
        #expect(json(try await function.api.waitForResult(last))["delivered"] as? Int == 1)
        let status = try await function.process.waitForExit(timeout: .seconds(30))
        await function.api.shutdown()
        let logs = function.process.logs
        #expect(!logs.contains("Sanitizer"), "\(logs.suffix(3000))")
        #expect(status == 0)
    }

    @Test func replayOfEveryFixtureMatchesItsExpectation() async throws {
        let fixtures = try EventFixture.load(from: repositoryRoot.appendingPathComponent("events"))
        let outcome = try await FixtureReplay(fixtures: fixtures, executable: executable("bootstrap")).run { _ in }
        for verdict in outcome.verdicts where !verdict.passed {
            Issue.record("\(verdict.fixture): \(verdict.problems.joined(separator: "; "))")
        }
        #expect(outcome.verdicts.count == fixtures.count)
        #expect(outcome.exitStatus == 0)
    }
}
