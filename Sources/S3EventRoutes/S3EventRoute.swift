import S3Events

/// How an S3 notification reached the function, recognised from the event's shape alone.
public enum S3EventRoute: String, Sendable, Equatable {
    /// S3 invokes the function with its notification (`Records[].eventSource` "aws:s3").
    case direct
    /// S3 → SNS → Lambda: `Records[].EventSource` "aws:sns", the notification in `Sns.Message`.
    case sns
    /// S3 → EventBridge → Lambda: `source` "aws.s3", `detail-type` such as "Object Created".
    case eventBridge
    /// S3 (→ SNS) → SQS → Lambda: `Records[].eventSource` "aws:sqs", the notification in `body`.
    case sqs
}

/// An invocation's event, by route.
public enum RoutedEvent: Sendable, Equatable {
    /// Direct, SNS or EventBridge: one notification, which succeeds or fails as a whole.
    case notification(S3Notification, route: S3EventRoute)
    /// An SQS batch: each message succeeds or fails on its own (`batchItemFailures`).
    case sqsBatch([SQSMessage])
}

/// One message of an SQS batch.
public struct SQSMessage: Sendable, Equatable {
    /// What `batchItemFailures` names when the message is to be received again.
    public var messageID: String
    /// `attributes.MessageGroupId`: set on FIFO queues only.
    public var messageGroupID: String?
    public var eventSourceARN: String?
    /// The body as an S3 notification (sent by S3, or inside an SNS envelope), or why it is not one.
    public var content: Result<S3Notification, S3RouteError>

    public init(messageID: String, messageGroupID: String? = nil, eventSourceARN: String? = nil, content: Result<S3Notification, S3RouteError>) {
        self.messageID = messageID
        self.messageGroupID = messageGroupID
        self.eventSourceARN = eventSourceARN
        self.content = content
    }

    /// The group whose order must hold, on a FIFO queue; nil on a standard queue.
    public var orderingGroup: String? {
        let fifo = messageGroupID != nil || (eventSourceARN?.hasSuffix(".fifo") ?? false)
        return fifo ? messageGroupID ?? "" : nil
    }
}
