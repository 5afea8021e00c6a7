import Clocks
import Synchronization
import Testing
import Threads

@testable import UploadNotifier

/// What the refused workers share in the test: a start line and their answers.
final class RefusedWorkers: Sendable {
    let ready = Atomic<Int>(0)
    let answers = Locked<[String?]>([])
}

/// Many workers refused at once by a backend whose key was rotated: one re-read for them all.
@Suite struct CredentialRotationTests {
    @Test func simultaneousRefusalsReadTheSecretsOnceAndAllTakeTheNewKey() throws {
        let secrets = FakeSecrets(["notifier/api-key": "sk_old", secretSettings["WEBHOOK_SIGNING_SECRET_ID"]!: signingV1])
        let store = try WebhookCredentialStore(configuration: try NotifierConfiguration(environment: secretSettings), reader: secrets)
        let stale = store.current
        secrets.values["notifier/api-key"] = "sk_rotated"  // rotated after start; no worker has read it yet
        let readsAtStart = secrets.reads.count

        let workers = 16
        let shared = RefusedWorkers()
        let threads = try (0..<workers).map { _ in
            try OSThread {
                // All refused at once: each waits (bounded) until every one is ready.
                shared.ready.wrappingAdd(1, ordering: .sequentiallyConsistent)
                for _ in 0..<10_000 where shared.ready.load(ordering: .sequentiallyConsistent) < workers {
                    Pause.sleep(.microseconds(100))
                }
                let fresh = try? store.credentials(replacing: stale).get()
                shared.answers.withLock { $0.append(fresh?.apiKey) }
            }
        }
        for thread in threads { thread.join() }

        #expect(shared.answers.withLock { $0 } == Array(repeating: "sk_rotated", count: workers))
        #expect(secrets.reads.count - readsAtStart == 2)  // the API key and the signing secret, once
        #expect(store.current.apiKey == "sk_rotated")
    }
}
