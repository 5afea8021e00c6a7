import AWSClient
import Clocks
import LambdaRuntime
import Logging
import StandardWebhooks
import Testing
import TestSupport

@testable import UploadNotifier

/// Secrets by id, changed by the test between reads.
final class FakeSecrets: SecretReader {
    var values: [String: String]
    var reads: [String] = []
    /// Reads that fail as throttled before the value is returned.
    var throttledReads = 0
    init(_ values: [String: String]) { self.values = values }

    func secretValue(_ id: String) throws(SecretReadError) -> String {
        reads.append(id)
        if throttledReads > 0 {
            throttledReads -= 1
            throw SecretReadError(secretID: id, problem: "HTTP 400 (ThrottlingException)", isTransient: true)
        }
        guard let value = values[id] else {
            throw SecretReadError(secretID: id, problem: "no such secret (ResourceNotFoundException)", isTransient: false)
        }
        return value
    }
}

let secretSettings = [
    "API_BASE_URL": "https://api.example.com", "WEBHOOK_API_KEY_SECRET_ID": "notifier/api-key",
    "WEBHOOK_SIGNING_SECRET_ID": "arn:aws:secretsmanager:us-east-1:123456789012:secret:notifier/signing-AbCdEf",
]
let signingV1 = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

@Suite struct WebhookCredentialStoreTests {
    @Test func secretsAreReadAtStart() throws {
        let secrets = FakeSecrets(["notifier/api-key": "sk_from_secret", secretSettings["WEBHOOK_SIGNING_SECRET_ID"]!: signingV1])
        let store = try WebhookCredentialStore(configuration: try NotifierConfiguration(environment: secretSettings), reader: secrets)
        #expect(store.current.apiKey == "sk_from_secret")
        #expect(store.current.signer.secrets == (try WebhookSecret.parseList(signingV1)))
        #expect(!store.current.signsWithAPIKey)
        #expect(secrets.reads.count == 2)
    }

    @Test func aValueAndItsSecretIDTogetherAreAConfigurationError() {
        for (plain, id) in [("WEBHOOK_API_KEY", "WEBHOOK_API_KEY_SECRET_ID"), ("WEBHOOK_SIGNING_SECRET", "WEBHOOK_SIGNING_SECRET_ID")] {
            var settings = secretSettings
            settings[plain] = plain == "WEBHOOK_API_KEY" ? "sk_plain" : signingV1
            #expect(throws: ConfigurationError.self) { try NotifierConfiguration(environment: settings) }
            do throws(ConfigurationError) {
                _ = try NotifierConfiguration(environment: settings)
            } catch {
                #expect(error.variable == id)
                #expect(!error.errorMessage.contains("sk_plain") && !error.errorMessage.contains(signingV1))
            }
        }
    }

    @Test func anUnknownSecretIsAnInitErrorNamingTheIDNeverAValue() throws {
        let secrets = FakeSecrets([secretSettings["WEBHOOK_SIGNING_SECRET_ID"]!: signingV1])
        let configuration = try NotifierConfiguration(environment: secretSettings)
        do throws(ConfigurationError) {
            _ = try WebhookCredentialStore(configuration: configuration, reader: secrets)
            Issue.record("expected an init error")
        } catch {
            #expect(error.variable == "WEBHOOK_API_KEY_SECRET_ID")
            #expect(error.errorMessage.contains("notifier/api-key"))
            #expect(!error.errorMessage.contains(signingV1))
        }
    }

    @Test func aRotatedSecretIsPickedUpAfterARefusalAtMostEvery30Seconds() throws {
        let signingID = secretSettings["WEBHOOK_SIGNING_SECRET_ID"]!
        let secrets = FakeSecrets(["notifier/api-key": "sk_old", signingID: signingV1])
        let store = try WebhookCredentialStore(configuration: try NotifierConfiguration(environment: secretSettings), reader: secrets)
        let start = ContinuousClock.now
        secrets.values["notifier/api-key"] = "sk_new"
        #expect(store.rereadAfterRefusal(now: start) == .success(true))  // the read at start does not count
        #expect(store.current.apiKey == "sk_new")
        secrets.values["notifier/api-key"] = "sk_newer"
        #expect(store.rereadAfterRefusal(now: start + .seconds(29)) == .success(false))  // too soon: not read
        #expect(store.current.apiKey == "sk_new")
        #expect(store.rereadAfterRefusal(now: start + .seconds(30)) == .success(true))
        #expect(store.current.apiKey == "sk_newer")
        #expect(store.rereadAfterRefusal(now: start + .seconds(61)) == .success(false))  // read, unchanged
        #expect(secrets.reads.count == 2 + 3 * 2)
    }

    @Test func aThrottledReadIsTriedAgainBrieflyAMissingSecretIsNot() throws {
        let configuration = try NotifierConfiguration(environment: secretSettings)
        let throttled = FakeSecrets(["notifier/api-key": "k", secretSettings["WEBHOOK_SIGNING_SECRET_ID"]!: signingV1])
        throttled.throttledReads = 2
        let clock = SkippedPauses()
        let store = try WebhookCredentialStore(configuration: configuration, reader: throttled, time: clock.time)
        #expect(store.current.apiKey == "k")
        #expect(throttled.reads.count == 4 && clock.pauses == [.milliseconds(100), .milliseconds(200)])

        throttled.throttledReads = 3
        #expect(throws: ConfigurationError.self) {
            try WebhookCredentialStore(configuration: configuration, reader: throttled, time: SkippedPauses().time)
        }
        let missing = FakeSecrets([:])
        let missingClock = SkippedPauses()
        #expect(throws: ConfigurationError.self) {
            try WebhookCredentialStore(configuration: configuration, reader: missing, time: missingClock.time)
        }
        #expect(missing.reads.count == 1)
        #expect(missingClock.pauses.isEmpty, "no pause for a missing secret")
    }

    @Test func plainValuesNeverReadSecrets() throws {
        let store = try WebhookCredentialStore(
            configuration: try NotifierConfiguration(environment: ["API_BASE_URL": "https://a.example", "WEBHOOK_API_KEY": "k"]), reader: nil)
        #expect(!store.usesSecrets)
        #expect(store.rereadAfterRefusal() == .success(false))
        #expect(store.current.signsWithAPIKey)
    }
}

/// HeadObject answers scripted per call.
final class FakeHeads: ObjectHeadReader {
    var answers: [HeadObjectResult]
    var calls: [(bucket: String, key: String, versionID: String?)] = []
    init(_ answers: [HeadObjectResult]) { self.answers = answers }

    func headObject(bucket: String, key: String, versionID: String?) -> HeadObjectResult {
        calls.append((bucket, key, versionID))
        return answers.isEmpty ? .failed(failure(.invalidRequest("script ended"))) : answers.removeFirst()
    }
}

/// A HeadObject failure of the test upload.
func failure(_ reason: S3Failure.Reason) -> S3Failure {
    S3Failure(bucket: "voice-by-auribus-audio-files", key: "audio-files/u/temp/a.wav", versionID: nil, reason: reason)
}

@Suite struct ObjectMetadataFetcherTests {
    func notification(_ key: String = "audio-files/u/temp/a.wav") throws -> UploadNotification {
        guard case .notify(let notification) = RecordClassifier.classify(record(key), prefix: "audio-files/", allowedBuckets: []) else {
            throw ConfigurationError(variable: "test", problem: "not an upload")
        }
        return notification
    }

    func context(deadlineIn: Duration = .seconds(20)) -> LambdaContext {
        LambdaContext(
            requestID: "r", deadlineMilliseconds: WallClock.nowMilliseconds() + deadlineIn.wholeMilliseconds,
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    @Test func foundMetadataIsPassedOn() throws {
        let metadata = S3ObjectHead(contentType: "audio/wav", userMetadata: [.init(name: "app", value: "ios")])
        let heads = FakeHeads([.found(metadata)])
        let fetcher = ObjectMetadataFetcher(reader: heads, webhookAttemptTimeout: .seconds(5))
        #expect(fetcher.fetch(try notification(), context: context()) == .found(metadata))
        #expect(heads.calls.map(\.key) == ["audio-files/u/temp/a.wav"])
        #expect(heads.calls.first?.bucket == "voice-by-auribus-audio-files")
    }

    @Test func aDeletedObjectIsGone() throws {
        let fetcher = ObjectMetadataFetcher(reader: FakeHeads([.notFound]), webhookAttemptTimeout: .seconds(5))
        #expect(fetcher.fetch(try notification(), context: context()) == .notFound)
        #expect(SkipReason.objectNoLongerExists.description.hasPrefix("object no longer exists"))
    }

    @Test func transientFailuresAreRetriedPersistentOnesAreNot() throws {
        let metadata = S3ObjectHead()
        let retried = FakeHeads([.failed(failure(.status(503))), .found(metadata)])
        let clock = SkippedPauses()
        #expect(ObjectMetadataFetcher(reader: retried, webhookAttemptTimeout: .seconds(5), time: clock.time)
            .fetch(try notification(), context: context()) == .found(metadata))
        #expect(retried.calls.count == 2)
        #expect(clock.pauses == [.milliseconds(125)])  // half (random 0.5) of the first 250 ms, not slept
        let denied = FakeHeads([.failed(failure(.status(403))), .found(metadata)])
        #expect(ObjectMetadataFetcher(reader: denied, webhookAttemptTimeout: .seconds(5)).fetch(try notification(), context: context())
            == .failed(failure(.status(403))))
        #expect(denied.calls.count == 1)
    }

    @Test func noLookupWithoutTimeForTheWebhookAfterIt() throws {
        let heads = FakeHeads([.found(S3ObjectHead())])
        let fetcher = ObjectMetadataFetcher(reader: heads, webhookAttemptTimeout: .seconds(5))
        guard case .failed(let failure) = fetcher.fetch(try notification(), context: context(deadlineIn: .seconds(3))),
            failure.reason == .noTimeLeft(after: nil)
        else {
            Issue.record("expected no lookup")
            return
        }
        #expect(heads.calls.isEmpty)
    }
}
