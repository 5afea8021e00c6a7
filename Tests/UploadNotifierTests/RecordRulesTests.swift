import Foundation
import S3Events
import Testing

@testable import UploadNotifier

func record(_ key: String, event: String = "ObjectCreated:Put", bucket: String = "voice-by-auribus-audio-files",
            versionId: String? = nil, sequencer: String? = "0055AED6DCD90281E5") -> S3EventRecord {
    S3EventRecord(
        awsRegion: "us-east-1", eventTime: "2026-11-29T03:44:53.123Z", eventName: event,
        s3: S3Entity(bucket: S3Bucket(name: bucket), object: S3Object(key: key, size: 42, eTag: "etag", versionId: versionId, sequencer: sequencer)))
}

@Suite struct UploadKeyTests {
    @Test func parsesAnUpload() {
        #expect(UploadKey.parse("audio-files/u-1/temp/f-1.wav", prefix: "audio-files/")
            == .success(UploadKey(userID: "u-1", fileName: "f-1.wav", fileID: "f-1", fileExtension: "wav")))
    }

    @Test(arguments: [
        ("audio-files/u/temp/archive.tar.gz", "archive.tar", "gz"),
        ("audio-files/u/temp/recording", "recording", nil),
        ("audio-files/u/temp/trailing.", "trailing", nil),
        ("audio-files/u/temp/my song é.mp3", "my song é", "mp3"),
    ] as [(String, String, String?)])
    func fileIDAndExtension(key: String, fileID: String, fileExtension: String?) throws {
        let upload = try UploadKey.parse(key, prefix: "audio-files/").get()
        #expect(upload.fileID == fileID)
        #expect(upload.fileExtension == fileExtension)
    }

    @Test(arguments: [
        ("audio-files/u/short/a.wav", SkipReason.preprocessingOutput(folder: "short")),
        ("audio-files/u/inference/a.wav", .preprocessingOutput(folder: "inference")),
        ("audio-files/u/short/deep/a.wav", .preprocessingOutput(folder: "short")),
        ("other/u/temp/a.wav", .outsidePrefix),
        ("audio-files/u/a.wav", .notAnUpload),
        ("audio-files/u/tmp/a.wav", .notAnUpload),
        ("audio-files/u/TEMP/a.wav", .notAnUpload),
        ("audio-files/", .notAnUpload),
    ])
    func skipsWhatIsNotAnUpload(key: String, reason: SkipReason) {
        #expect(UploadKey.parse(key, prefix: "audio-files/") == .failure(reason))
    }

    @Test(arguments: [
        "audio-files/u/temp/", "audio-files//temp/a.wav", "audio-files/u/temp/a/b.wav", "audio-files/u/temp/.wav",
        "audio-files/./temp/a.wav", "audio-files/../temp/a.wav", "audio-files/u/temp/..", "audio-files/u/temp/a\u{1}.wav",
        "audio-files/u\u{7F}/temp/a.wav", "audio-files/u/temp/a\u{85}.wav", "audio-files/u/temp/a.wav/",
        "audio-files/u/temp/a\u{80}.wav", "audio-files/u/temp/a\u{9F}.wav", "audio-files/\u{0}/temp/a.wav",
    ])
    func malformedUploadKeys(key: String) {
        guard case .failure(.malformedKey) = UploadKey.parse(key, prefix: "audio-files/") else {
            Issue.record("\(key) was not reported as malformed")
            return
        }
    }

    /// Not control characters: the neighbours of the C0/C1 ranges, in both UTF-8 lengths.
    @Test(arguments: ["a\u{20}b.wav", "a\u{7E}.wav", "a\u{A0}.wav", "a\u{C280}.wav", "\u{2028}.wav"])
    func keepsPrintableNeighboursOfControls(fileName: String) throws {
        #expect(try UploadKey.parse("audio-files/u/temp/" + fileName, prefix: "audio-files/").get().fileName == fileName)
    }

    /// S3 keys are bytes: a `/` followed by a combining mark still separates segments, although
    /// the two form one `Character`.
    @Test func slashesSeparateSegmentsEvenBeforeACombiningMark() throws {
        let upload = try UploadKey.parse("audio-files/u/temp/\u{301}a.wav", prefix: "audio-files/").get()
        #expect(upload.userID == "u")
        #expect(upload.fileName == "\u{301}a.wav")
        #expect(UploadKey.parse("audio-files/u/temp/a/\u{301}b.wav", prefix: "audio-files/")
            == .failure(.malformedKey("expected {userId}/temp/{fileName}, found 4 segments")))
    }

    @Test func customAndEmptyPrefixes() {
        #expect((try? UploadKey.parse("media/u/temp/a.wav", prefix: "media/").get())?.userID == "u")
        #expect((try? UploadKey.parse("u/temp/a.wav", prefix: "").get())?.userID == "u")
    }
}

@Suite struct RecordClassifierTests {
    func classify(_ record: S3EventRecord, allowed: Set<String> = []) -> RecordDecision {
        RecordClassifier.classify(record, prefix: "audio-files/", allowedBuckets: allowed)
    }

    @Test func notifiesUploadsWithTheDecodedKey() {
        guard case .notify(let notification) = classify(record("audio-files/user+1/temp/a%2Bb.wav")) else {
            Issue.record("expected a notification")
            return
        }
        #expect(notification.key == "audio-files/user 1/temp/a+b.wav")
        #expect(notification.upload.userID == "user 1")
        #expect(notification.upload.fileID == "a+b")
    }

    @Test(arguments: ["ObjectRemoved:Delete", "ObjectRestore:Completed", "ObjectTagging:Put", "LifecycleExpiration:Delete"])
    func onlyObjectCreatedNotifies(event: String) {
        #expect(classify(record("audio-files/u/temp/a.wav", event: event)) == .skip(key: "audio-files/u/temp/a.wav", reason: .notObjectCreated(eventName: event)))
    }

    @Test(arguments: ["ObjectCreated:Put", "ObjectCreated:Post", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload"])
    func everyObjectCreatedKindNotifies(event: String) {
        guard case .notify = classify(record("audio-files/u/temp/a.wav", event: event)) else {
            Issue.record("\(event) did not notify")
            return
        }
    }

    @Test func bucketAllowList() {
        #expect(classify(record("audio-files/u/temp/a.wav", bucket: "evil"), allowed: ["voice-by-auribus-audio-files"])
            == .skip(key: "audio-files/u/temp/a.wav", reason: .bucketNotAllowed("evil")))
        guard case .notify = classify(record("audio-files/u/temp/a.wav"), allowed: ["voice-by-auribus-audio-files"]) else {
            Issue.record("allowed bucket skipped")
            return
        }
    }

    @Test func malformedEncodingIsASkipNotAnError() {
        guard case .skip(_, .malformedKeyEncoding) = classify(record("audio-files/u/temp/%ZZ.wav")) else {
            Issue.record("expected a malformed-encoding skip")
            return
        }
    }
}

@Suite struct WebhookIDTests {
    @Test func sameObjectVersionSameID() {
        let a = WebhookID.make(bucket: "b", key: "k", versionID: "v1", sequencer: "01")
        #expect(a == WebhookID.make(bucket: "b", key: "k", versionID: "v1", sequencer: "01"))
        #expect(a != WebhookID.make(bucket: "b", key: "k", versionID: "v1", sequencer: "02"))
        #expect(a != WebhookID.make(bucket: "b", key: "k", versionID: "v2", sequencer: "01"))
        #expect(a != WebhookID.make(bucket: "b2", key: "k", versionID: "v1", sequencer: "01"))
        #expect(a != WebhookID.make(bucket: "b", key: "k2", versionID: "v1", sequencer: "01"))
        // Field boundaries are unambiguous.
        #expect(WebhookID.make(bucket: "b", key: "k", versionID: "v", sequencer: nil) != WebhookID.make(bucket: "b", key: "k", versionID: nil, sequencer: "v"))
    }

    @Test func shapeFitsTheSpec() {
        let id = WebhookID.make(bucket: "voice-by-auribus-audio-files", key: "audio-files/u/temp/é.wav", versionID: nil, sequencer: nil)
        #expect(id.count <= 64)
        #expect(id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
    }
}

@Suite struct WebhookPayloadTests {
    @Test func bodyHasEveryFieldWithNullsForAbsentValues() throws {
        guard case .notify(let notification) = RecordClassifier.classify(record("audio-files/u/temp/recording", sequencer: nil), prefix: "audio-files/", allowedBuckets: []) else {
            Issue.record("expected a notification")
            return
        }
        let bytes = WebhookPayload(notification).jsonBytes()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.contains("\\/"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["type"] as? String == "audio_file.uploaded")
        #expect(object["timestamp"] as? String == "2026-11-29T03:44:53.123Z")
        let data = try #require(object["data"] as? [String: Any])
        #expect(Set(data.keys) == [
            "userId", "fileId", "fileExtension", "bucket", "key", "s3Uri", "size", "eTag", "versionId", "sequencer",
            "eventName", "eventTime", "awsRegion", "contentType", "metadata",
        ])
        #expect(data["contentType"] is NSNull)
        #expect(data["metadata"] is NSNull)
        #expect(data["userId"] as? String == "u")
        #expect(data["fileId"] as? String == "recording")
        #expect(data["fileExtension"] is NSNull)
        #expect(data["versionId"] is NSNull)
        #expect(data["sequencer"] is NSNull)
        #expect(data["s3Uri"] as? String == "s3://voice-by-auribus-audio-files/audio-files/u/temp/recording")
        #expect(data["size"] as? Int == 42)
        #expect(data["eventName"] as? String == "ObjectCreated:Put")
        #expect(data["awsRegion"] as? String == "us-east-1")
    }
}

@Suite struct HandWrittenJSONTests {
    @Test func summaryRoundTripsThroughAJSONDecoder() throws {
        let summary = InvocationSummary(delivered: 1, skipped: 2, results: [
            .init(key: "audio-files/u/temp/\"quoted\" \u{1}\n\\é🎵.wav", outcome: .skipped, reason: "malformed upload key: fileName contains a control character"),
            .init(key: "audio-files/u/temp/a.wav", outcome: .delivered, webhookId: "upl_x"),
        ])
        #expect(try JSONDecoder().decode(InvocationSummary.self, from: Data(summary.jsonBytes())) == summary)
        let test = InvocationSummary(delivered: 0, skipped: 0, results: [], testEvent: true)
        #expect(String(decoding: test.jsonBytes(), as: UTF8.self) == #"{"delivered":0,"skipped":0,"results":[],"testEvent":true}"#)
        #expect(try JSONDecoder().decode(InvocationSummary.self, from: Data(test.jsonBytes())) == test)
    }

    @Test func payloadEscapesWhatKeysMayHold() throws {
        let key = "audio-files/u\"\\/temp/\u{2028}x 🎵.mp3"
        let upload = UploadKey(userID: "u\"\\", fileName: "\u{2028}x 🎵.mp3", fileID: "\u{2028}x 🎵", fileExtension: "mp3")
        let notification = UploadNotification(record: record(key), key: key, upload: upload, webhookID: "upl_1")
        let bytes = WebhookPayload(notification).jsonBytes()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let data = try #require(object["data"] as? [String: Any])
        #expect(data["userId"] as? String == "u\"\\")
        #expect(data["key"] as? String == key)
        #expect(data["s3Uri"] as? String == "s3://voice-by-auribus-audio-files/" + key)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("\u{2028}"))
    }

    @Test func objectMetadataIsAnObjectOfLowerCaseNamesSortedOnce() throws {
        guard case .notify(let notification) = RecordClassifier.classify(record("audio-files/u/temp/a.wav"), prefix: "audio-files/", allowedBuckets: []) else {
            Issue.record("expected a notification")
            return
        }
        let metadata = ObjectMetadata(contentType: "audio/wav", userMetadata: [
            .init(name: "Original-Filename", value: "take \"2\".wav"), .init(name: "app", value: "ios"),
            .init(name: "ORIGINAL-FILENAME", value: "duplicate"),
        ])
        let bytes = WebhookPayload(notification, object: metadata).jsonBytes()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""metadata":{"app":"ios","original-filename":"take \"2\".wav"}"#))
        let data = try #require((try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])?["data"] as? [String: Any])
        #expect(data["contentType"] as? String == "audio/wav")
        #expect(data["metadata"] as? [String: String] == ["app": "ios", "original-filename": "take \"2\".wav"])
    }
}

@Suite struct FileIDTraversalTests {
    /// `...mp3` leaves fileId `..`, `..mp3` leaves `.`: skipped, never sent as a path segment.
    @Test(arguments: [("audio-files/u/temp/...mp3", ".."), ("audio-files/u/temp/..mp3", ".")])
    func relativeFileIDsAreSkippedAsTraversal(key: String, fileID: String) throws {
        let reason = SkipReason.malformedKey("fileId \"\(fileID)\" is a relative path segment (path traversal)")
        #expect(UploadKey.parse(key, prefix: "audio-files/") == .failure(reason))
        let configuration = try NotifierConfiguration(environment: ["API_BASE_URL": "https://example.com", "WEBHOOK_API_KEY": "k_test_traversal"])
        let record = S3EventRecord(eventName: "ObjectCreated:Put", s3: S3Entity(bucket: S3Bucket(name: "b"), object: S3Object(key: key)))
        #expect(RecordClassifier.classify(record, configuration: configuration) == .skip(key: key, reason: reason))
        #expect(reason.description.contains("traversal"))
    }

    /// Dots inside a name stay allowed: only a whole `.` or `..` is a relative segment.
    @Test(arguments: [("audio-files/u/temp/....mp3", "..."), ("audio-files/u/temp/.a.mp3", ".a"), ("audio-files/u/temp/a..mp3", "a.")])
    func otherDottedFileIDsAreUploads(key: String, fileID: String) throws {
        #expect(try UploadKey.parse(key, prefix: "audio-files/").get().fileID == fileID)
    }
}
