import Foundation
import StandardWebhooks
import WebhookVerification

/// One event fixture from `events/`, with its expected outcome from `events/expected/`.
public struct EventFixture: Sendable {
    public var name: String
    public var event: [UInt8]
    /// The expectation document (its fields: events/README.md).
    var expectation: [String: SendableJSON]

    public static func load(from directory: URL) throws -> [EventFixture] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        guard !files.isEmpty else { throw ReplayError("no *.json fixtures in \(directory.path)") }
        return try files.map { file in
            let name = file.deletingPathExtension().lastPathComponent
            let expectationFile = directory.appendingPathComponent("expected/\(name).json")
            guard let data = FileManager.default.contents(atPath: expectationFile.path),
                let expectation = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { throw ReplayError("fixture \(name) has no readable expectation at \(expectationFile.path)") }
            return EventFixture(
                name: name, event: Array(try Data(contentsOf: file)),
                expectation: expectation.mapValues { SendableJSON($0) })
        }
    }
}

/// JSONSerialization values are immutable Foundation objects; this marks them safe to share.
struct SendableJSON: @unchecked Sendable {
    let value: Any
    init(_ value: Any) { self.value = value }
}

public struct ReplayError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What one fixture produced, compared with what it should.
public struct ReplayVerdict: Sendable {
    public var fixture: String
    public var summary: String
    public var problems: [String]
    public var passed: Bool { problems.isEmpty }
}

/// Compares a function's result and the webhooks it sent with a fixture's expectation. Pure.
public enum ReplayJudge {
    public static func judge(
        _ fixture: EventFixture, result: InvocationResult, webhooks: [ReceivedWebhook]?
    ) -> ReplayVerdict {
        let expected = fixture.expectation.mapValues(\.value)
        var problems: [String] = []
        let body = (try? JSONSerialization.jsonObject(with: Data(resultBody(result)))) as? [String: Any]
        var summary: String
        switch result {
        case .response:
            if let failures = body?["batchItemFailures"] as? [[String: Any]] {
                let identifiers = failures.map { $0["itemIdentifier"] as? String ?? "?" }
                summary = "batchItemFailures [\(identifiers.joined(separator: ", "))]"
                if let want = expected["batchItemFailures"] as? [String], identifiers != want {
                    problems.append("expected batchItemFailures \(want), got \(identifiers)")
                }
            } else {
                summary = "delivered \(body?["delivered"] ?? "?"), skipped \(body?["skipped"] ?? "?")"
                if expected["batchItemFailures"] != nil { problems.append("expected a batchItemFailures answer") }
            }
            if body?["testEvent"] as? Bool == true { summary += " (s3:TestEvent)" }
            if expected["outcome"] as? String != "response" {
                problems.append("expected an error \(expected["errorType"] ?? ""), got a response")
            }
            for field in ["delivered", "skipped"] {
                if let want = expected[field] as? Int, body?[field] as? Int != want {
                    problems.append("expected \(field) \(want), got \(body?[field] ?? "nothing")")
                }
            }
            if let want = expected["testEvent"] as? Bool, (body?["testEvent"] as? Bool ?? false) != want {
                problems.append("expected testEvent \(want)")
            }
        case .error(let type, _):
            summary = "error \(type ?? "?"): \(body?["errorMessage"] ?? "")"
            if expected["outcome"] as? String != "error" {
                problems.append("expected a response, got error \(type ?? "?"): \(body?["errorMessage"] ?? "")")
            } else if let want = expected["errorType"] as? String, want != type {
                problems.append("expected errorType \(want), got \(type ?? "none")")
            }
        }
        if let webhooks, let wanted = expected["webhooks"] as? [[String: Any]] {
            summary += "; \(webhooks.count) webhook\(webhooks.count == 1 ? "" : "s")"
            if webhooks.count != wanted.count {
                problems.append("expected \(wanted.count) webhooks, received \(webhooks.count)")
            }
            // Uploads of one invocation go out in parallel: when every expected webhook names its
            // key, each is matched by key; otherwise in order.
            let byKey = wanted.allSatisfy { $0["key"] is String }
            let datas = webhooks.map { ((try? JSONSerialization.jsonObject(with: Data($0.request.body))) as? [String: Any])?["data"] as? [String: Any] }
            let ordered = byKey ? datas.sorted { ($0?["key"] as? String ?? "") < ($1?["key"] as? String ?? "") } : datas
            let wantedInOrder = byKey ? wanted.sorted { ($0["key"] as? String ?? "") < ($1["key"] as? String ?? "") } : wanted
            for (index, webhook) in webhooks.enumerated() {
                if !webhook.apiKeyValid { problems.append("webhook \(index + 1): wrong or missing X-Webhook-Api-Key") }
                if let problem = webhook.signatureProblem { problems.append("webhook \(index + 1): signature \(problem)") }
                guard index < wanted.count else { continue }
                let data = ordered[index]
                for (field, want) in wantedInOrder[index] where !same(data?[field], want) {
                    problems.append("webhook \(index + 1): data.\(field) is \(data?[field] ?? "missing"), expected \(want)")
                }
            }
            if !webhooks.isEmpty && webhooks.allSatisfy(\.isAuthentic) { summary += " verified" }
        }
        return ReplayVerdict(fixture: fixture.name, summary: summary, problems: problems)
    }

    private static func resultBody(_ result: InvocationResult) -> [UInt8] {
        switch result {
        case .response(let body), .error(_, let body): body
        }
    }

    private static func same(_ a: Any?, _ b: Any) -> Bool {
        switch (a, b) {
        case (nil, is NSNull), (is NSNull, is NSNull): true
        case (let a as String, let b as String): a == b
        case (let a as NSNumber, let b as NSNumber): a == b
        default: false
        }
    }
}

/// Runs fixtures through a real function executable under the embedded Runtime API, delivering
/// to the embedded verifying receiver (or to a real backend).
public struct FixtureReplay {
    public var fixtures: [EventFixture]
    public var executable: String
    /// Nil: deliver to an embedded receiver that checks the API key and signature.
    public var apiBaseURL: String?
    public var extraEnvironment: [String: String] = [:]
    public var echoLogs = false
    /// Invocations handed to the function at once (`AWS_LAMBDA_MAX_CONCURRENCY`); 1 replays one by one.
    public var concurrency = 1
    /// How long the embedded receiver takes over each webhook, as a real backend would.
    public var backendLatency: Duration = .zero

    public init(fixtures: [EventFixture], executable: String, apiBaseURL: String? = nil) {
        self.fixtures = fixtures
        self.executable = executable
        self.apiBaseURL = apiBaseURL
    }

    /// Replays every fixture, `concurrency` at a time; `report` is called with each verdict, in fixture
    /// order. Webhooks are told apart by their `X-Amzn-Trace-Id`: each invocation gets its own trace.
    public func run(
        report: (ReplayVerdict) -> Void
    ) async throws -> (verdicts: [ReplayVerdict], exitStatus: Int32, logs: String, peakInFlight: Int) {
        let runtimeAPI = try await RuntimeAPIServer()
        var environment = extraEnvironment
        var receiver: WebhookReceiver?
        if let apiBaseURL {
            environment["API_BASE_URL"] = apiBaseURL
        } else {
            let apiKey = "local-replay-" + UUID().uuidString
            let secret = WebhookSecret(key: Array(UUID().uuidString.utf8) + Array(UUID().uuidString.utf8))
            let local = try await WebhookReceiver(
                apiKey: apiKey, verifier: WebhookVerifier(secrets: [secret]), latency: backendLatency)
            environment["API_BASE_URL"] = local.baseURL
            environment["WEBHOOK_API_KEY"] = apiKey
            environment["WEBHOOK_SIGNING_SECRET"] = secret.encoded
            receiver = local
        }
        environment["AWS_LAMBDA_RUNTIME_API"] = runtimeAPI.endpoint
        environment["AWS_LAMBDA_FUNCTION_NAME"] = "VoiceByAuribus-AudioUploadNotifier"
        environment["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
        environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "256"
        environment["AWS_REGION"] = environment["AWS_REGION"] ?? "us-east-1"
        if concurrency > 1 { environment["AWS_LAMBDA_MAX_CONCURRENCY"] = String(concurrency) }
        let process = try LambdaProcess(executable: executable, environment: environment, echoLogs: echoLogs)

        var verdicts: [ReplayVerdict] = []
        do {
            var start = 0
            while start < fixtures.count {
                let batch = fixtures[start..<min(start + max(concurrency, 1), fixtures.count)]
                start += batch.count
                let sent = batch.map { fixture in
                    if let keys = fixture.expectation["rejectKeys"]?.value as? [String] { receiver?.reject(keys: Set(keys)) }
                    let traceID = RuntimeAPIServer.makeTraceID()
                    return (fixture, traceID, runtimeAPI.enqueue(fixture.event, timeout: .seconds(30), traceID: traceID))
                }
                for (fixture, traceID, requestID) in sent {
                    let result: InvocationResult
                    do {
                        result = try await runtimeAPI.waitForResult(requestID, timeout: .seconds(40))
                    } catch {
                        if let initError = runtimeAPI.initError {
                            throw ReplayError("the function failed to start: \(initError.bodyText)")
                        }
                        throw error
                    }
                    let webhooks = receiver.map { $0.received.filter { $0.request.header("X-Amzn-Trace-Id") == traceID } }
                    let verdict = ReplayJudge.judge(fixture, result: result, webhooks: webhooks)
                    verdicts.append(verdict)
                    report(verdict)
                }
            }
        } catch {
            await process.stop()
            await runtimeAPI.shutdown()
            await receiver?.shutdown()
            throw ReplayError("\(error)\nfunction log:\n\(process.logs)")
        }
        process.signal(SIGTERM)
        let status = (try? await process.waitForExit(timeout: .seconds(10))) ?? -1
        if status == -1 { await process.stop() }
        await runtimeAPI.shutdown()
        await receiver?.shutdown()
        return (verdicts, status, process.logs, runtimeAPI.inFlight.peak)
    }
}
