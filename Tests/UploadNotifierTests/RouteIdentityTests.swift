import Foundation
import S3EventRoutes
import S3Events
import Testing

@testable import UploadNotifier

/// A backend deduplicates by webhook-id, so the same upload must give the same id by every route.
@Suite struct RouteIdentityTests {
    func firstDecision(_ name: String) throws -> RecordDecision {
        let bytes = Array(try Data(contentsOf: eventsDirectory.appendingPathComponent(name)))
        let record: S3EventRecord?
        switch try S3EventRouter.route(bytes) {
        case .notification(.records(let records), _): record = records.first
        case .notification(.test, _): record = nil
        case .sqsBatch(let messages):
            guard case .success(.records(let records)) = messages.first?.content else { record = nil; break }
            record = records.first
        }
        let configuration = try NotifierConfiguration(environment: ["API_BASE_URL": "https://example.com", "WEBHOOK_API_KEY": "k_test_route"])
        return RecordClassifier.classify(try #require(record), configuration: configuration)
    }

    @Test func theSameUploadHasTheSameWebhookIDOnEveryRoute() throws {
        let ids = try ["upload-single.json", "sns-upload.json", "sqs-upload.json", "eventbridge-upload.json"].map { name -> String? in
            guard case .notify(let upload) = try firstDecision(name) else { return nil }
            return upload.webhookID
        }
        #expect(ids.count == 4 && ids.allSatisfy { $0 != nil })
        #expect(Set(ids).count == 1, "\(ids)")
        #expect(ids.first == WebhookID.make(
            bucket: "voice-by-auribus-audio-files",
            key: "audio-files/4f9c2a61-7d3e-4b8a-9f0e-2c5d8e1a6b3f/temp/0b7e1c55-3f2a-4d9b-8e61-5a4c2d7f9e10.wav",
            versionID: nil, sequencer: "0062F3A1B2C3D4E5F6"))
    }

    @Test func anEventBridgeDeletionIsSkippedAsNotObjectCreated() throws {
        #expect(try firstDecision("eventbridge-object-deleted.json") == .skip(key: "audio-files/u-9/temp/gone.mp3", reason: .notObjectCreated(eventName: "Object Deleted")))
    }
}
