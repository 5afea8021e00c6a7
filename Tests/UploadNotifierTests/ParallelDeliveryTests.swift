import Foundation
import HTTP
import LambdaRuntime
import LocalLambda
import Logging
import StandardWebhooks
import Synchronization
import Testing
import WebhookVerification

@testable import UploadNotifier

/// A handler with a lane pool, as `bootstrap` makes it, against a receiver that takes `latency`.
struct ParallelBackend {
    let receiver: WebhookReceiver
    let configuration: NotifierConfiguration
    let makeLane: @Sendable () throws -> UploadLane
    let pool: LanePool

    init(parallelism: Int, latency: Duration = .zero, attempts: Int = 1) async throws {
        receiver = try await WebhookReceiver(apiKey: Backend.apiKey, verifier: WebhookVerifier(secrets: [Backend.secret]), latency: latency)
        let configuration = try NotifierConfiguration(environment: receiver.notifierEnvironment(apiKey: Backend.apiKey, secret: Backend.secret).merging([
            "WEBHOOK_PARALLELISM": String(parallelism), "WEBHOOK_MAX_ATTEMPTS": String(attempts),
        ]) { _, new in new })
        let credentials = try WebhookCredentialStore(configuration: configuration, reader: nil)
        self.configuration = configuration
        makeLane = {
            UploadLane(delivery: WebhookDelivery(configuration: configuration, credentials: credentials, http: try HTTPClient()), metadataFetcher: nil)
        }
        pool = LanePool(makeLane: makeLane)
    }

    func handle(_ keys: [String]) async throws -> [UInt8] {
        let records = keys.enumerated().map { index, key in
            #"{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"\#(key)","sequencer":"00\#(index)"}}}"#
        }
        let event = Array(#"{"Records":[\#(records.joined(separator: ","))]}"#.utf8)
        let (configuration, makeLane, pool) = (self.configuration, self.makeLane, self.pool)
        let context = Backend.context(deadlineIn: .seconds(20))
        // A handler stays on one thread: made where it runs; the pool outlives it, as a worker's does.
        return try await runBlocking { () throws -> [UInt8] in
            try UploadNotifierHandler(configuration: configuration, lane: try makeLane(), metrics: nil, lanes: pool).handle(event, context: context)
        }
    }
}

func uploadKeys(_ count: Int) -> [String] { (0..<count).map { "audio-files/u-\($0)/temp/take-\($0).wav" } }

@Suite("Parallel delivery within one invocation")
struct ParallelDeliveryTests {
    @Test func peakInFlightReachesTheParallelismAndNoMore() async throws {
        let backend = try await ParallelBackend(parallelism: 4, latency: .milliseconds(300))
        defer { Task { await backend.receiver.shutdown() } }
        let summary = try JSONDecoder().decode(InvocationSummary.self, from: Data(try await backend.handle(uploadKeys(8))))
        #expect(summary.delivered == 8)
        #expect(backend.receiver.peakInFlight == 4)
        let received = backend.receiver.received
        #expect(received.count == 8 && received.allSatisfy { $0.isAuthentic })
        #expect(Set(received.compactMap(\.webhookID)).count == 8)
        #expect(summary.results.map(\.key) == uploadKeys(8))
    }

    @Test func oneFailingUploadDoesNotStopTheOthers() async throws {
        let backend = try await ParallelBackend(parallelism: 3)
        defer { Task { await backend.receiver.shutdown() } }
        let keys = uploadKeys(6)
        backend.receiver.reject(keys: [keys[1]])
        do {
            _ = try await backend.handle(keys)
            Issue.record("expected WebhookDeliveryFailed")
        } catch let error as WebhookDeliveryFailed {
            #expect(error.failures.map(\.key) == [keys[1]])
            #expect(error.delivered == 5)
        }
        #expect(Set(try backend.receiver.received.compactMap(webhookKey)) == Set(keys))
    }

    @Test func lanesAreMadeOnlyWhenNeededAndKept() async throws {
        let backend = try await ParallelBackend(parallelism: 4)
        defer { Task { await backend.receiver.shutdown() } }
        _ = try await backend.handle(uploadKeys(1))
        #expect(backend.pool.made.load(ordering: .relaxed) == 0)
        _ = try await backend.handle(uploadKeys(2))
        #expect(backend.pool.made.load(ordering: .relaxed) == 1)
        _ = try await backend.handle(uploadKeys(9))
        _ = try await backend.handle(uploadKeys(9))
        #expect(backend.pool.made.load(ordering: .relaxed) == 3)
        #expect(backend.receiver.received.count == 21)
    }
}
