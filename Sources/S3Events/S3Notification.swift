#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What an S3 notification invocation carries: records, or the one-off test event.
public enum S3Notification: Sendable, Equatable {
    case records([S3EventRecord])
    case test(S3TestEvent)

    /// Decodes an invocation's bytes, explaining precisely what is wrong with anything that is not
    /// an S3 notification.
    public static func decode(_ bytes: [UInt8]) throws(S3EventError) -> S3Notification {
        let data = Data(bytes)
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: data)
        } catch let error as DecodingError {
            throw S3EventError(decoding: error)
        } catch {
            throw .notJSON("\(error)")
        }
        if let records = envelope.records {
            guard !records.isEmpty else { throw .noRecords }
            for (index, record) in records.enumerated() where record.eventSource != "aws:s3" {
                throw .notS3(index: index, eventSource: record.eventSource)
            }
            return .records(records)
        }
        if envelope.event == "s3:TestEvent" {
            do {
                return .test(try JSONDecoder().decode(S3TestEvent.self, from: data))
            } catch {
                throw .notJSON("\(error)")
            }
        }
        throw .missingRecords
    }

    private struct Envelope: Decodable {
        var records: [S3EventRecord]?
        var event: String?

        enum CodingKeys: String, CodingKey {
            case records = "Records"
            case event = "Event"
        }
    }
}

/// Why an invocation's event is not an S3 notification. Reported as errorType `InvalidEvent`.
public enum S3EventError: Error, Equatable, CustomStringConvertible {
    case notJSON(String)
    case notAnObject
    case missingRecords
    case noRecords
    case invalidRecord(path: String, problem: String)
    case notS3(index: Int, eventSource: String?)

    init(decoding error: DecodingError) {
        func path(_ context: DecodingError.Context, then last: CodingKey? = nil) -> String {
            (context.codingPath + (last.map { [$0] } ?? [])).reduce(into: "") { path, key in
                if let index = key.intValue {
                    path += "[\(index)]"
                } else {
                    path += (path.isEmpty ? "" : ".") + key.stringValue
                }
            }
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            self = .notJSON(context.debugDescription)
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            self = .notAnObject
        case .keyNotFound(let key, let context):
            self = .invalidRecord(path: path(context, then: key), problem: "is missing")
        case .valueNotFound(let type, let context):
            self = .invalidRecord(path: path(context), problem: "is null, expected \(type)")
        case .typeMismatch(let type, let context):
            self = .invalidRecord(path: path(context), problem: "expected \(type)")
        case .dataCorrupted(let context):
            self = .invalidRecord(path: path(context), problem: context.debugDescription)
        @unknown default:
            self = .notJSON("\(error)")
        }
    }

    public var description: String {
        switch self {
        case .notJSON(let detail): "the event is not valid JSON (\(detail))"
        case .notAnObject: "the event is not a JSON object"
        case .missingRecords: "the event has no \"Records\" array and is not an s3:TestEvent"
        case .noRecords: "the event's \"Records\" array is empty"
        case .invalidRecord(let path, let problem): "the event is not an S3 notification: \(path) \(problem)"
        case .notS3(let index, let source):
            "Records[\(index)] has eventSource \(source.map { "\"\($0)\"" } ?? "missing"), expected \"aws:s3\""
        }
    }
}
