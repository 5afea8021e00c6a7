import Foundation
import S3Events
import Testing

@testable import S3EventRoutes

let eventsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../events").standardized

func fixture(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: eventsDirectory.appendingPathComponent(name)))
}

/// The records a routed event carries, whatever its route (SQS: every message's, in order).
func records(_ event: RoutedEvent) -> [S3EventRecord] {
    switch event {
    case .notification(.records(let records), _): records
    case .notification(.test, _): []
    case .sqsBatch(let messages):
        messages.flatMap { message -> [S3EventRecord] in
            guard case .success(.records(let records)) = message.content else { return [] }
            return records
        }
    }
}

@Suite struct RouteDetectionTests {
    @Test(arguments: [
        ("upload-single.json", S3EventRoute.direct), ("s3-test-event.json", .direct), ("sns-upload.json", .sns),
        ("sns-test-event.json", .sns), ("eventbridge-upload.json", .eventBridge), ("eventbridge-object-deleted.json", .eventBridge),
        ("sqs-upload.json", .sqs), ("sqs-partial-failure.json", .sqs), ("sqs-fifo-group-failure.json", .sqs),
    ])
    func recognisesTheRouteFromTheShape(name: String, route: S3EventRoute) throws {
        switch try S3EventRouter.route(try fixture(name)) {
        case .notification(_, let found): #expect(found == route)
        case .sqsBatch: #expect(route == .sqs)
        }
    }

    /// The record every route carries for the same upload is the record S3 sends directly.
    @Test(arguments: ["sns-upload.json", "sqs-upload.json"])
    func envelopesCarryTheDirectRecordUnchanged(name: String) throws {
        let direct = records(try S3EventRouter.route(try fixture("upload-single.json")))
        let routed = records(try S3EventRouter.route(try fixture(name)))
        #expect(!direct.isEmpty && routed.first == direct.first)
    }

    @Test func eventBridgeObjectCreatedReadsAsTheNotificationRecord() throws {
        let direct = try #require(records(try S3EventRouter.route(try fixture("upload-single.json"))).first)
        let bridged = try #require(records(try S3EventRouter.route(try fixture("eventbridge-upload.json"))).first)
        #expect(bridged.eventName == "ObjectCreated:Put")
        #expect(bridged.s3.bucket.name == direct.s3.bucket.name)
        #expect(bridged.s3.object == direct.s3.object)
        #expect(bridged.awsRegion == "us-east-1")
        #expect(bridged.requestParameters?.sourceIPAddress == "203.0.113.10")
    }

    /// The decision (README, "EventBridge"): EventBridge keys are taken as written, never URL-decoded.
    @Test(arguments: ["audio-files/u/temp/take 1+2.mp3", "audio-files/u/temp/100%25 sure.wav", "audio-files/u/temp/a:b.wav", "plain"])
    func eventBridgeKeysAreNotURLDecoded(key: String) throws {
        let event = #"{"version":"0","detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"b"},"object":{"key":"\#(key)"},"reason":"PutObject"}}"#
        let record = try #require(records(try S3EventRouter.route(Array(event.utf8))).first)
        #expect(try record.s3.object.decodedKey() == key)
    }

    @Test func eventNamesFollowTheReason() {
        #expect(EventBridgeObjectEvent.eventName(detailType: "Object Created", reason: "CompleteMultipartUpload") == "ObjectCreated:CompleteMultipartUpload")
        #expect(EventBridgeObjectEvent.eventName(detailType: "Object Created", reason: "POST Object") == "ObjectCreated:Post")
        #expect(EventBridgeObjectEvent.eventName(detailType: "Object Created", reason: "CopyObject") == "ObjectCreated:Copy")
        #expect(EventBridgeObjectEvent.eventName(detailType: "Object Created", reason: nil) == "ObjectCreated:*")
        #expect(EventBridgeObjectEvent.eventName(detailType: "Object Deleted", reason: "DeleteObject") == "Object Deleted")
    }

    @Test(arguments: ["s3-test-event.json", "sns-test-event.json"])
    func testEventIsRecognisedOnEveryRoute(name: String) throws {
        guard case .notification(.test(let test), _) = try S3EventRouter.route(try fixture(name)) else {
            Issue.record("expected the s3:TestEvent")
            return
        }
        #expect(test.bucket == "voice-by-auribus-audio-files")
    }

    /// An event that carries both the test-event marker and EventBridge's envelope (found by
    /// `FuzzS3Route`): the shape that may hold an upload wins, as `Records` wins in the direct decode.
    /// Taking it for a test event would acknowledge it with nothing sent.
    @Test func testEventMarkerNeverHidesAnEventBridgeUpload() throws {
        let event = #"{"Event":"s3:TestEvent","detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"b"},"object":{"key":"audio-files/u/temp/f.mp3"},"reason":"PutObject"}}"#
        guard case .notification(.records(let records), .eventBridge) = try S3EventRouter.route(Array(event.utf8)) else {
            Issue.record("expected the EventBridge upload")
            return
        }
        #expect(records.map(\.s3.object.key) == ["audio-files/u/temp/f.mp3"])
        #expect(throws: S3RouteError.self) { try S3EventRouter.route(Array(#"{"Event":"s3:TestEvent","detail-type":"Object Created"}"#.utf8)) }
    }

    @Test func sqsMessagesKeepTheirIdentityAndFailAlone() throws {
        guard case .sqsBatch(let messages) = try S3EventRouter.route(try fixture("sqs-partial-failure.json")) else {
            Issue.record("expected an SQS batch")
            return
        }
        #expect(messages.map(\.messageID).map { $0.suffix(1) } == ["1", "2", "3", "4"])
        #expect(messages.allSatisfy { $0.orderingGroup == nil })
        guard case .failure(.inEnvelope(let path, .notJSON)) = messages[2].content else {
            Issue.record("expected message 3's body to be reported as not JSON, got \(messages[2].content)")
            return
        }
        #expect(path == "Records[2].body")
        if case .failure = messages[0].content { Issue.record("message 1 is a valid notification") }
    }

    @Test func sqsBodiesAreNotificationsSNSEnvelopesOrTheTestEvent() throws {
        guard case .sqsBatch(let messages) = try S3EventRouter.route(try fixture("sqs-upload.json")) else {
            Issue.record("expected an SQS batch")
            return
        }
        #expect(messages.count == 3)
        guard case .success(.records(let enveloped)) = messages[1].content, case .success(.test) = messages[2].content else {
            Issue.record("expected an SNS-enveloped notification and the test event, got \(messages)")
            return
        }
        #expect(try enveloped.first?.s3.object.decodedKey() == "audio-files/u-2/temp/b.ogg")
    }

    @Test func fifoMessagesOrderByGroup() throws {
        guard case .sqsBatch(let messages) = try S3EventRouter.route(try fixture("sqs-fifo-group-failure.json")) else {
            Issue.record("expected an SQS batch")
            return
        }
        #expect(messages.map(\.orderingGroup) == ["u-a", "u-b", "u-a", "u-b"])
        #expect(SQSMessage(messageID: "m", eventSourceARN: "arn:aws:sqs:us-east-1:1:q.fifo", content: .success(.records([]))).orderingGroup == "")
        #expect(SQSMessage(messageID: "m", eventSourceARN: "arn:aws:sqs:us-east-1:1:q", content: .success(.records([]))).orderingGroup == nil)
    }

    @Test(arguments: [
        (#"{"version":"1.0","routeKey":"POST /x","body":"{}"}"#, #"the event is none of the shapes S3 reaches the function in (S3 notification, SNS, SQS, EventBridge): it has members "version", "routeKey", "body""#),
        ("{}", "the event is none of the shapes S3 reaches the function in (S3 notification, SNS, SQS, EventBridge): it has no members"),
        (#"{"Records":[{"eventSource":"aws:sqs","body":"{}"}]}"#, "Records[0].messageId is missing"),
        (#"{"Records":[{"eventSource":"aws:sqs","messageId":"1","body":"{}"},{"eventSource":"aws:s3"}]}"#, #"Records[1] has event source "aws:s3", expected "aws:sqs" like Records[0]"#),
        (#"{"Records":[{"EventSource":"aws:sns","Sns":{"Message":"not json"}}]}"#, "Records[0].Sns.Message: the event is not valid JSON"),
        (#"{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","detail":{}}"#, #"an EventBridge event from "aws.ec2" (detail-type "EC2 Instance State-change Notification"), expected source "aws.s3""#),
        (#"{"source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{"name":"b"},"object":{}}}"#, "detail.object.key is missing"),
        (#"{"Records":[{"eventSource":"aws:dynamodb"}]}"#, #"Records[0] has eventSource "aws:dynamodb", expected "aws:s3""#),
        ("[1]", "the event is not a JSON object"),
    ])
    func unknownShapesSayWhatWasSeen(event: String, message: String) {
        do {
            let routed = try S3EventRouter.route(Array(event.utf8))
            Issue.record("expected an error, got \(routed)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }

    @Test(arguments: ["", "plain", "a b", "a+b", "100%", "%2B", "é ü+%"])
    func encodingIsUndoneByDecoding(key: String) throws {
        #expect(try S3KeyEncoding.decode(S3KeyEncoding.encode(key)) == key)
    }
}
