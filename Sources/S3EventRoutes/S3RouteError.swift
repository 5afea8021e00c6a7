import S3Events

/// Why an event (or one SQS message) is not an S3 notification by any route. Its description says
/// what was seen, for the `InvalidEvent` error or the log line naming the SQS message.
public enum S3RouteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A direct S3 notification, or the one inside an envelope, is not valid (today's errors).
    case notification(S3EventError)
    /// An object none of the routes sends; `members` are its first member names.
    case unknownShape(members: [String])
    /// A record of another service, or one unlike the first record of the batch.
    case unexpectedSource(index: Int, seen: String?, expected: String)
    /// An SNS, SQS or EventBridge envelope lacks what every such event has.
    case invalidEnvelope(path: String, problem: String)
    /// An EventBridge event that S3 did not send.
    case notFromS3(source: String?, detailType: String?)
    /// The notification inside an envelope (`path`) is not valid.
    case inEnvelope(path: String, S3EventError)

    public var description: String {
        switch self {
        case .notification(let error):
            error.description
        case .unknownShape(let members):
            "the event is none of the shapes S3 reaches the function in (S3 notification, SNS, SQS, EventBridge): it has "
                + (members.isEmpty ? "no members" : "members " + members.map { "\"\($0)\"" }.joined(separator: ", "))
        case .unexpectedSource(let index, let seen, let expected):
            "Records[\(index)] has event source \(seen.map { "\"\($0)\"" } ?? "missing"), expected \(expected)"
        case .invalidEnvelope(let path, let problem):
            "\(path) \(problem)"
        case .notFromS3(let source, let detailType):
            "an EventBridge event from \(source.map { "\"\($0)\"" } ?? "no source") (detail-type \(detailType.map { "\"\($0)\"" } ?? "missing")), expected source \"aws.s3\""
        case .inEnvelope(let path, let error):
            "\(path): \(error)"
        }
    }
}
