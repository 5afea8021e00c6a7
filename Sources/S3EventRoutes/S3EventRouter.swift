import S3Events
import StrictJSON

/// Recognises the route from the event's shape (no setting) and reads the S3 notification out of
/// its envelope. The event is parsed once; an envelope's embedded JSON text once more.
public enum S3EventRouter {
    public static func route(_ bytes: [UInt8]) throws(S3RouteError) -> RoutedEvent {
        let document: JSONDocument
        do {
            document = try JSONDocument(parsing: bytes)
        } catch {
            throw .notification(.notJSON(error.description))
        }
        let reader = EnvelopeReader(document: document)
        let root = document.root
        guard document.kind(of: root) == .object else { throw .notification(.notAnObject) }
        if let records = document.member("Records", of: root), let first = document.elements(of: records)?.first {
            // S3 and SQS spell it eventSource, SNS EventSource: one look for the usual, direct case.
            switch reader.stringIfAny("eventSource", in: first) {
            case "aws:sqs":
                return .sqsBatch(try sqsMessages(reader, records))
            case nil where reader.stringIfAny("EventSource", in: first) == "aws:sns":
                return .notification(try snsNotification(reader, records), route: .sns)
            default:
                break
            }
        } else if document.member("detail-type", of: root) != nil {
            return .notification(try EventBridgeObjectEvent.notification(reader, root), route: .eventBridge)
        }
        do {
            return .notification(try S3Notification.decode(document), route: .direct)
        } catch .missingRecords {
            throw .unknownShape(members: (document.members(of: root) ?? []).prefix(8).map(\.name))
        } catch {
            throw .notification(error)
        }
    }

    /// SNS invokes with one record per message; each `Sns.Message` is an S3 notification's JSON text.
    static func snsNotification(_ reader: EnvelopeReader, _ records: JSONDocument.Value) throws(S3RouteError) -> S3Notification {
        var decoded: [S3EventRecord] = []
        var test: S3TestEvent?
        for (index, record) in (reader.document.elements(of: records) ?? []).enumerated() {
            let source = reader.stringIfAny("EventSource", in: record)
            guard source == "aws:sns" else { throw .unexpectedSource(index: index, seen: source, expected: "\"aws:sns\" like Records[0]") }
            let sns = try reader.object("Sns", in: record, "Records[\(index)].Sns")
            let path = "Records[\(index)].Sns.Message"
            switch try embeddedNotification(try reader.requiredString("Message", in: sns, path), path: path, mayBeSNSEnvelope: false) {
            case .records(let records): decoded.append(contentsOf: records)
            case .test(let event): test = test ?? event
            }
        }
        if decoded.isEmpty, let test { return .test(test) }
        return .records(decoded)
    }

    /// Every record must carry a `messageId`: without it the message cannot be reported alone, and
    /// the batch fails as a whole rather than have anything acknowledged that was not delivered.
    static func sqsMessages(_ reader: EnvelopeReader, _ records: JSONDocument.Value) throws(S3RouteError) -> [SQSMessage] {
        var messages: [SQSMessage] = []
        for (index, record) in (reader.document.elements(of: records) ?? []).enumerated() {
            let path = "Records[\(index)]"
            guard reader.document.kind(of: record) == .object else { throw .invalidEnvelope(path: path, problem: "is not an object") }
            let source = reader.stringIfAny("eventSource", in: record)
            guard source == "aws:sqs" else { throw .unexpectedSource(index: index, seen: source, expected: "\"aws:sqs\" like Records[0]") }
            let messageID = try reader.requiredString("messageId", in: record, path + ".messageId")
            guard !messageID.isEmpty else { throw .invalidEnvelope(path: path + ".messageId", problem: "is empty") }
            let attributes = reader.document.member("attributes", of: record)
            let content = Result { () throws(S3RouteError) -> S3Notification in
                try embeddedNotification(try reader.requiredString("body", in: record, path + ".body"), path: path + ".body")
            }
            messages.append(SQSMessage(
                messageID: messageID,
                messageGroupID: attributes.flatMap { reader.stringIfAny("MessageGroupId", in: $0) },
                eventSourceARN: reader.stringIfAny("eventSourceARN", in: record),
                content: content))
        }
        return messages
    }

    /// JSON text carried in an envelope: an S3 notification, or an SNS notification envelope around
    /// one (an SQS queue subscribed to a topic without raw message delivery).
    static func embeddedNotification(_ text: String, path: String, mayBeSNSEnvelope: Bool = true) throws(S3RouteError) -> S3Notification {
        let document: JSONDocument
        do {
            document = try JSONDocument(parsing: Array(text.utf8))
        } catch {
            throw .inEnvelope(path: path, .notJSON(error.description))
        }
        let reader = EnvelopeReader(document: document)
        let root = document.root
        if mayBeSNSEnvelope, reader.stringIfAny("Type", in: root) == "Notification", reader.stringIfAny("TopicArn", in: root) != nil {
            let inner = path + ".Message"
            return try embeddedNotification(try reader.requiredString("Message", in: root, inner), path: inner, mayBeSNSEnvelope: false)
        }
        do {
            return try S3Notification.decode(document)
        } catch {
            throw .inEnvelope(path: path, error)
        }
    }
}
