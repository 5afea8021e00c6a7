import Foundation
import LocalLambda
import StandardWebhooks
import Testing
import WebhookVerification

/// The real `bootstrap` and `echo-lambda` with AWS_LAMBDA_MAX_CONCURRENCY set, as Lambda Managed
/// Instances run them: several invocations at once in one process.
@Suite("Concurrent invocations (processes)")
struct ConcurrentProcessTests {
    static let apiKey = "sk_integration_api_key_value"
    static let secret = WebhookSecret(key: Array("integration-secret-0123456789abcdef".utf8))

    func startNotifier(workers: Int, backendLatency: Duration, settings: [String: String] = [:]) async throws -> (RunningFunction, WebhookReceiver) {
        let receiver = try await WebhookReceiver(
            apiKey: Self.apiKey, verifier: WebhookVerifier(secrets: [Self.secret]), latency: backendLatency)
        var environment = receiver.notifierEnvironment(apiKey: Self.apiKey, secret: Self.secret)
        environment.merge(["AWS_LAMBDA_MAX_CONCURRENCY": "\(workers)", "AWS_LAMBDA_LOG_FORMAT": "JSON", "METRICS_NAMESPACE": ""]) { _, new in new }
        environment.merge(settings) { _, new in new }
        let function = try await RunningFunction.start("bootstrap", environment: environment)
        return (function, receiver)
    }

    /// An upload notification whose key names the invocation, so a webhook can be traced back to it.
    static func upload(_ index: Int) -> [UInt8] {
        Array(#"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2026-11-29T03:44:53.123Z","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"voice-by-auribus-audio-files"},"object":{"key":"audio-files/user-\#(index)/temp/file-\#(index).wav","size":1,"sequencer":"00\#(index)"}}}]}"#.utf8)
    }

    static func trace(_ index: Int) -> String { "Root=1-00000000-\(String(repeating: "0", count: 20))\(1000 + index);Parent=1;Sampled=0" }

    @Test func eightWorkersServeEightInvocationsAtOnceEachWithItsOwnTrace() async throws {
        let workers = 8
        let (function, receiver) = try await startNotifier(workers: workers, backendLatency: .milliseconds(300))
        defer { Task { await function.stop(); await receiver.shutdown() } }
        let ids = (0..<workers * 2).map { index in
            function.api.enqueue(Self.upload(index), traceID: Self.trace(index), tenantID: "tenant-\(index)")
        }
        for id in ids {
            #expect(json(try await function.api.waitForResult(id))["delivered"] as? Int == 1)
        }
        #expect(function.api.inFlight.peak == workers)
        #expect(receiver.peakInFlight == workers)
        let webhooks = receiver.received
        #expect(webhooks.count == workers * 2 && webhooks.allSatisfy(\.isAuthentic))
        for webhook in webhooks {
            // The trace header of each webhook is that of the invocation that carried its upload.
            let body = String(decoding: webhook.request.body, as: UTF8.self)
            let index = try #require(body.range(of: #"file-(\d+)\.wav"#, options: .regularExpression).map {
                Int(body[$0].dropFirst("file-".count).dropLast(".wav".count))
            } ?? nil)
            #expect(webhook.request.header("X-Amzn-Trace-Id") == Self.trace(index))
        }
        // JSON log lines name their own invocation's request, tenant and trace ids, whole.
        let deliveredLines = function.process.logs.split(separator: "\n").filter { $0.contains("webhook delivered") }
        #expect(deliveredLines.count == workers * 2)
        for line in deliveredLines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let key = try #require(object["key"] as? String)
            let index = try #require(Int(key.split(separator: "/")[1].dropFirst("user-".count)))
            #expect(object["tenantId"] as? String == "tenant-\(index)")
            #expect(object["traceId"] as? String == Self.trace(index))
            #expect(ids.contains(try #require(object["requestId"] as? String)))
        }
        #expect(function.api.registeredExtensions == ["AudioUploadNotifier-SIGTERM"])
    }

    @Test func sigtermWithEveryWorkerBusyPostsEveryResponseThenExitsZero() async throws {
        let workers = 4
        let (function, receiver) = try await startNotifier(workers: workers, backendLatency: .seconds(1))
        defer { Task { await function.stop(); await receiver.shutdown() } }
        let ids = (0..<workers).map { function.api.enqueue(Self.upload($0)) }
        _ = try await Polling.until(timeout: .seconds(10), what: "\(workers) webhooks in flight") {
            receiver.peakInFlight == workers ? true : nil
        }
        function.process.signal(SIGTERM)
        #expect(try await function.process.waitForExit(timeout: .seconds(10)) == 0)
        for id in ids {
            #expect(json(try #require(function.api.result(for: id)))["delivered"] as? Int == 1)
        }
    }

    @Test func withSeveralWorkersTheProcessWideTraceVariableIsNeverSet() async throws {
        let function = try await RunningFunction.start("echo-lambda", environment: ["AWS_LAMBDA_MAX_CONCURRENCY": "4"])
        defer { Task { await function.stop() } }
        for index in 0..<8 {
            let reply = json(try await function.invoke(#"{"n":\#(index)}"#, traceID: Self.trace(index)))
            #expect(reply["traceEnv"] is NSNull)
            #expect((reply["context"] as? [String: Any])?["traceId"] as? String == Self.trace(index))
        }
    }

    @Test func aMalformedConcurrencyIsAnInitErrorNamingTheVariable() async throws {
        let function = try await RunningFunction.start("echo-lambda", environment: ["AWS_LAMBDA_MAX_CONCURRENCY": "lots"])
        defer { Task { await function.stop() } }
        let initError = try await function.api.waitForInitError()
        guard case .error(let type, _) = initError else {
            Issue.record("expected an init error, got \(initError)")
            return
        }
        #expect(type == "Runtime.InvalidSetting")
        #expect((json(initError)["errorMessage"] as? String)?.hasPrefix("AWS_LAMBDA_MAX_CONCURRENCY is \"lots\"") == true)
        #expect(try await function.process.waitForExit() == 1)
    }

    @Test func oneWorkerRegistersTheShutdownExtensionOnlyWhenAsked() async throws {
        for (setting, expected) in [(nil, [String]()), ("true", ["AudioUploadNotifier-SIGTERM"])] {
            let function = try await RunningFunction.start(
                "echo-lambda", environment: setting.map { ["RUNTIME_SIGTERM_EXTENSION": $0] } ?? [:])
            _ = try await function.invoke(#"{"n":1}"#)
            #expect(function.api.registeredExtensions == expected)
            await function.stop()
        }
    }

    @Test func severalWorkersLeaveItOutWhenTold() async throws {
        let function = try await RunningFunction.start(
            "echo-lambda", environment: ["AWS_LAMBDA_MAX_CONCURRENCY": "2", "RUNTIME_SIGTERM_EXTENSION": "false"])
        defer { Task { await function.stop() } }
        _ = try await function.invoke(#"{"n":1}"#)
        #expect(function.api.registeredExtensions.isEmpty)
    }

    @Test func replayingEveryFixtureFourAtATimeMatchesEveryExpectation() async throws {
        let fixtures = try EventFixture.load(from: repositoryRoot.appendingPathComponent("events"))
        var replay = FixtureReplay(fixtures: fixtures, executable: executable("bootstrap"))
        replay.concurrency = 4
        replay.backendLatency = .milliseconds(300)  // uploads in one batch overlap for that long
        let outcome = try await replay.run { _ in }
        for verdict in outcome.verdicts where !verdict.passed {
            Issue.record("\(verdict.fixture): \(verdict.problems.joined(separator: "; "))")
        }
        #expect(outcome.verdicts.count == fixtures.count)
        #expect(outcome.peakInFlight >= 2)
        #expect(outcome.exitStatus == 0)
    }
}
