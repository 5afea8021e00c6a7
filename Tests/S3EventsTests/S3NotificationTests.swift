import Foundation
import Testing

@testable import S3Events

/// The repository's events/ folder: real-shaped S3 payloads shared with the local replay.
let eventsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../events").standardized

func fixture(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: eventsDirectory.appendingPathComponent(name)))
}

@Suite struct S3NotificationDecodingTests {
    @Test func decodesTheFullRecordModel() throws {
        guard case .records(let records) = try S3Notification.decode(try fixture("upload-versioned-multipart.json")) else {
            Issue.record("expected records")
            return
        }
        let record = try #require(records.first)
        #expect(record.eventVersion == "2.1")
        #expect(record.eventSource == "aws:s3")
        #expect(record.awsRegion == "us-east-1")
        #expect(record.eventTime == "2026-11-29T03:44:53.123Z")
        #expect(record.eventName == "ObjectCreated:CompleteMultipartUpload")
        #expect(record.userIdentity?.principalId == "AWS:AROAEXAMPLEROLEID:voice-by-auribus-backend")
        #expect(record.requestParameters?.sourceIPAddress == "203.0.113.10")
        #expect(record.responseElements?.requestID == "C3D13FE58DE4C810")
        #expect(record.responseElements?.hostID?.hasPrefix("FMyUVURIY8") == true)
        #expect(record.s3.configurationId == "audio-upload-notifier")
        #expect(record.s3.bucket == S3Bucket(name: "voice-by-auribus-audio-files", arn: "arn:aws:s3:::voice-by-auribus-audio-files", ownerIdentity: S3Principal(principalId: "A3NL1KOZZKEXAMPLE")))
        #expect(record.s3.object == S3Object(
            key: "audio-files/u-7/temp/take-3.flac", size: 73_400_320, eTag: "d8e8fca2dc0f896fd7cb4cb0031ba249-14",
            versionId: "096fKKXTRTtl3on89fVO.nfljtsv6qko", sequencer: "0062F3A1B2C3D4E5F6"))
    }

    /// Every S3 fixture decodes, and re-encoding then decoding gives the same model.
    @Test(arguments: ["upload-single.json", "upload-url-encoded-key.json", "batch-mixed.json", "object-removed.json", "malformed-keys.json"])
    func fixturesRoundTrip(name: String) throws {
        guard case .records(let records) = try S3Notification.decode(try fixture(name)) else {
            Issue.record("expected records in \(name)")
            return
        }
        let encoded = try JSONEncoder().encode(["Records": records])
        #expect(try S3Notification.decode(Array(encoded)) == .records(records))
    }

    @Test func removalsHaveNoSizeOrETag() throws {
        guard case .records(let records) = try S3Notification.decode(try fixture("object-removed.json")) else { return }
        #expect(records[0].s3.object.size == nil)
        #expect(records[0].s3.object.eTag == nil)
        #expect(records[0].eventName == "ObjectRemoved:Delete")
    }

    @Test func toleratesFieldsS3MayAddLater() throws {
        let event = #"{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","glacierEventData":{"x":1},"newField":[1,2],"s3":{"bucket":{"name":"b","futureThing":true},"object":{"key":"k","checksum":"abc"}}}]}"#
        guard case .records(let records) = try S3Notification.decode(Array(event.utf8)) else {
            Issue.record("expected records")
            return
        }
        #expect(records[0].s3.object.key == "k")
    }

    @Test func testEventIsRecognised() throws {
        guard case .test(let test) = try S3Notification.decode(try fixture("s3-test-event.json")) else {
            Issue.record("expected the test event")
            return
        }
        #expect(test.event == "s3:TestEvent")
        #expect(test.bucket == "voice-by-auribus-audio-files")
    }

    @Test(arguments: [
        ("this is not json", S3EventError.notJSON("")),
        ("[1, 2]", .notAnObject),
        ("\"text\"", .notAnObject),
        ("{}", .missingRecords),
        (#"{"Event":"s3:SomethingElse"}"#, .missingRecords),
        (#"{"Records":[]}"#, .noRecords),
        (#"{"Records":[{"eventSource":"aws:sqs","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}"#, .notS3(index: 0, eventSource: "aws:sqs")),
        (#"{"Records":[{"s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}"#, .notS3(index: 0, eventSource: nil)),
        (#"{"Records":[{"eventSource":"aws:s3","s3":{"bucket":{"name":"b"},"object":{}}}]}"#, .invalidRecord(path: "Records[0].s3.object.key", problem: "is missing")),
        (#"{"Records":[{"eventSource":"aws:s3","s3":{"bucket":{"name":"b"},"object":{"key":"k","size":"big"}}}]}"#, .invalidRecord(path: "Records[0].s3.object.size", problem: "expected Int64")),
        (#"{"Records":[{"eventSource":"aws:s3","s3":{"bucket":{"name":"b"},"object":{"key":"k","size":1.5}}}]}"#, .invalidRecord(path: "Records[0].s3.object.size", problem: "expected Int64")),
        (#"{"Records":[{"eventSource":"aws:s3","s3":{"bucket":{"name":"b"},"object":{"key":null}}}]}"#, .invalidRecord(path: "Records[0].s3.object.key", problem: "is null, expected String")),
        (#"{"Records":[{"eventSource":"aws:s3","s3":{"bucket":{"name":7},"object":{"key":"k"}}}]}"#, .invalidRecord(path: "Records[0].s3.bucket.name", problem: "expected String")),
        (#"{"Records":[{"eventSource":"aws:s3","s3":{"bucket":[],"object":{"key":"k"}}}]}"#, .invalidRecord(path: "Records[0].s3.bucket", problem: "expected an object")),
        (#"{"Records":[{"eventSource":"aws:s3","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}},{"eventSource":"aws:s3"}]}"#, .invalidRecord(path: "Records[1].s3", problem: "is missing")),
        (#"{"Records":[{"eventSource":"aws:s3","userIdentity":"x","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}"#, .invalidRecord(path: "Records[0].userIdentity", problem: "expected an object")),
        (#"{"Records":[{"eventSource":"aws:sqs"}]}"#, .notS3(index: 0, eventSource: "aws:sqs")),
        (#"{"Records":{}}"#, .invalidRecord(path: "Records", problem: "expected an array")),
        (#"{"Records":[1]}"#, .invalidRecord(path: "Records[0]", problem: "expected an object")),
        (#"{"Records":null}"#, .missingRecords),
    ])
    func invalidEventsSayWhatIsWrong(event: String, expected: S3EventError) {
        do {
            _ = try S3Notification.decode(Array(event.utf8))
            Issue.record("\(event) decoded")
        } catch {
            if case .notJSON = expected, case .notJSON = error { return }
            #expect(error == expected)
            #expect(!error.description.isEmpty)
        }
    }

    @Test func syntaxErrorsSayWhereTheyAre() {
        #expect(throws: S3EventError.notJSON("unexpected 'x' at offset 12")) {
            try S3Notification.decode(Array(#"{"Records": x}"#.utf8))
        }
        #expect(throws: S3EventError.notJSON("invalid UTF-8 at offset 13")) {
            try S3Notification.decode([UInt8](#"{"Records": ""#.utf8) + [0xFF, 0x22, 0x7D])
        }
    }

    @Test func escapedStringsAreDecoded() throws {
        let event = #"{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"k\u0065y":"audio-files\/u\u00e9\ud83c\udfb5","size":12}}}]}"#
        guard case .records(let records) = try S3Notification.decode(Array(event.utf8)) else {
            Issue.record("expected records")
            return
        }
        #expect(records[0].s3.object.key == "audio-files/ué🎵")
        #expect(records[0].s3.object.size == 12)
    }

    @Test func invalidRecordMessageNamesTheField() {
        let error = S3EventError.invalidRecord(path: "Records[0].s3.object.key", problem: "is missing")
        #expect(error.description == "the event is not an S3 notification: Records[0].s3.object.key is missing")
    }
}

@Suite struct S3KeyEncodingTests {
    @Test(arguments: [
        ("audio-files/u/temp/a.wav", "audio-files/u/temp/a.wav"),
        ("my+song.mp3", "my song.mp3"),
        ("a%2Bb", "a+b"),
        ("%C3%A9t%C3%A9", "été"),
        ("%F0%9F%8E%B5", "🎵"),
        ("100%25", "100%"),
        ("%e2%82%ac", "€"),
        ("", ""),
    ])
    func decodes(encoded: String, decoded: String) throws {
        #expect(try S3KeyEncoding.decode(encoded) == decoded)
    }

    @Test(arguments: ["%", "%4", "%ZZ", "a%G1", "%%20"])
    func rejectsMalformedEscapes(encoded: String) {
        #expect(throws: S3KeyDecodingError.self) { try S3KeyEncoding.decode(encoded) }
    }

    @Test(arguments: ["%C3%28", "%FF", "%C3", "%ED%A0%80"])
    func rejectsBytesThatAreNotUTF8(encoded: String) {
        #expect(throws: S3KeyDecodingError.invalidUTF8) { try S3KeyEncoding.decode(encoded) }
    }
}
