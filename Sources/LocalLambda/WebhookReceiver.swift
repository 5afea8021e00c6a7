import StandardWebhooks
import Threads
import WebhookVerification

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One webhook as the receiver saw it, with what it made of its credentials.
public struct ReceivedWebhook: Sendable {
    public var request: RecordedRequest
    /// The `X-Webhook-Api-Key` matched.
    public var apiKeyValid: Bool
    /// Nil when the Standard Webhooks signature verified; otherwise why not.
    public var signatureProblem: String?

    public var webhookID: String? { request.header("webhook-id") }
    public var isAuthentic: Bool { apiKeyValid && signatureProblem == nil }
}

/// A stand-in for the backend's webhook endpoint on loopback: checks the API key, verifies the
/// signature, records everything, and answers as scripted (status, Retry-After, delays, drops).
public final class WebhookReceiver: Sendable {
    /// A scripted answer for one request; when the script is empty the receiver answers
    /// 202 to authentic webhooks and 401 to the rest.
    public enum Reply: Sendable {
        case status(Int, headers: [(String, String)] = [])
        case dropConnection
        /// Waits, then answers normally (or as the next scripted reply says).
        case delay(Duration)
    }

    private let shared = SharedState()
    private let server: LoopbackHTTPServer

    /// - Parameter latency: how long the backend takes over every request before answering.
    public init(apiKey: String, verifier: WebhookVerifier, port: Int = 0, latency: Duration = .zero) async throws {
        let state = shared
        self.server = try await LoopbackHTTPServer(port: port) { request in
            state.mutex.withLock { content in
                content.inFlight += 1
                content.peakInFlight = max(content.peakInFlight, content.inFlight)
            }
            defer { state.mutex.withLock { $0.inFlight -= 1 } }
            if latency > .zero { try? await Task.sleep(for: latency) }
            return await Self.answer(request, state: state, apiKey: apiKey, verifier: verifier)
        }
    }

    /// The variables of a notifier that delivers here with these credentials. Its attempt timeout is
    /// patient (15 s): the tests using this are about behaviour, not time, and a loaded host
    /// (ThreadSanitizer, suites in parallel on two cores) once made a 5 s attempt time out, whose retry
    /// added a webhook the test did not expect. Tests of timeouts set `WEBHOOK_TIMEOUT_MS` themselves.
    public func notifierEnvironment(apiKey: String, secret: WebhookSecret) -> [String: String] {
        ["API_BASE_URL": baseURL, "WEBHOOK_API_KEY": apiKey, "WEBHOOK_SIGNING_SECRET": secret.encoded, "WEBHOOK_TIMEOUT_MS": "15000"]
    }

    /// Requests being answered now: shows that a sender is inside its delivery.
    public var inFlight: Int { shared.mutex.withLock { $0.inFlight } }

    /// The most requests that were ever being answered at once.
    public var peakInFlight: Int { shared.mutex.withLock { $0.peakInFlight } }

    public var baseURL: String { server.baseURL }
    public var port: Int { server.port }

    /// Answers `status` to every webhook whose `data.key` is one of `keys`, whenever it arrives:
    /// for deliveries in parallel, whose order a script cannot foresee.
    public func reject(keys: Set<String>, status: Int = 422) {
        shared.mutex.withLock { content in
            for key in keys { content.rejections[key] = status }
        }
    }

    /// Queues scripted replies for the next requests, in order.
    public func script(_ replies: [Reply]) {
        shared.mutex.withLock { $0.script.append(contentsOf: replies) }
    }

    public var received: [ReceivedWebhook] { shared.mutex.withLock { $0.received } }

    /// Waits, at most `timeout`, until `count` webhooks have arrived.
    public func waitForWebhooks(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [ReceivedWebhook] {
        try await Polling.until(timeout: timeout, what: "\(count) webhooks") {
            let received = self.received
            return received.count >= count ? received : nil
        }
    }

    public func shutdown() async {
        await server.shutdown()
    }

    final class SharedState: Sendable {
        struct Content {
            var received: [ReceivedWebhook] = []
            var script: [Reply] = []
            var rejections: [String: Int] = [:]
            var inFlight = 0
            var peakInFlight = 0
        }
        let mutex = Locked(Content())
    }

    /// The one field of a webhook body the rejection rule reads.
    private struct KeyedBody: Decodable {
        struct Upload: Decodable { var key: String }
        var data: Upload
    }

    private static func answer(_ request: RecordedRequest, state: SharedState, apiKey: String, verifier: WebhookVerifier) async -> ServerReply {
        let apiKeyValid = request.header("X-Webhook-Api-Key").map { Digest.constantTimeEqual(Array($0.utf8), Array(apiKey.utf8)) } ?? false
        var signatureProblem: String?
        do {
            try verifier.verify(
                id: request.header("webhook-id"), timestamp: request.header("webhook-timestamp"),
                signature: request.header("webhook-signature"), body: request.body,
                now: Int64(Date().timeIntervalSince1970))
        } catch {
            signatureProblem = error.description
        }
        let webhook = ReceivedWebhook(request: request, apiKeyValid: apiKeyValid, signatureProblem: signatureProblem)
        let key = (try? JSONDecoder().decode(KeyedBody.self, from: Data(request.body)))?.data.key
        var reply = state.mutex.withLock { content -> Reply? in
            content.received.append(webhook)
            if let key, let status = content.rejections[key] { return .status(status) }
            return content.script.isEmpty ? nil : content.script.removeFirst()
        }
        while case .delay(let duration) = reply {
            try? await Task.sleep(for: duration)
            reply = state.mutex.withLock { $0.script.isEmpty ? nil : $0.script.removeFirst() }
        }
        switch reply {
        case .status(let status, let headers):
            return .json(status, #"{"scripted":true}"#, headers: headers)
        case .dropConnection:
            return .dropConnection
        case .delay, nil:
            return webhook.isAuthentic
                ? .json(202, #"{"status":"accepted"}"#)
                : .json(401, #"{"error":"authentication failed"}"#)
        }
    }
}
