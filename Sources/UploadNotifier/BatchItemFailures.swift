import TextBytes

/// The answer to an SQS batch with `ReportBatchItemFailures` on: the messages Lambda leaves on the
/// queue, to be received again (and after `maxReceiveCount`, moved to the dead-letter queue).
/// An empty list tells Lambda that the whole batch succeeded.
/// Reference: docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
public struct BatchItemFailures: Sendable, Equatable {
    /// One message's own outcome, in batch order.
    public struct MessageOutcome: Sendable, Equatable {
        public var messageID: String
        /// FIFO queues only: the message group, whose order must hold.
        public var orderingGroup: String?
        /// Its body is malformed, or it holds an upload that was not delivered.
        public var failed: Bool

        public init(messageID: String, orderingGroup: String?, failed: Bool) {
            self.messageID = messageID
            self.orderingGroup = orderingGroup
            self.failed = failed
        }
    }

    public var itemIdentifiers: [String]

    /// Exactly the failed messages; on a FIFO queue also every later message of a group that
    /// failed, so that the group is received again in order (as Powertools' batch processor does).
    public static func select(_ messages: [MessageOutcome]) -> BatchItemFailures {
        var failedGroups: Set<String> = []
        var identifiers: [String] = []
        for message in messages {
            let heldBack = message.orderingGroup.map(failedGroups.contains) ?? false
            guard message.failed || heldBack else { continue }
            identifiers.append(message.messageID)
            if let group = message.orderingGroup { failedGroups.insert(group) }
        }
        return BatchItemFailures(itemIdentifiers: identifiers)
    }

    /// `{"batchItemFailures":[{"itemIdentifier":"…"}]}`, and nothing else: the shape Lambda reads.
    public func jsonBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 + itemIdentifiers.count * 64)
        JSONText.appendRaw(#"{"batchItemFailures":["#, to: &out)
        for (index, identifier) in itemIdentifiers.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            JSONText.appendMember("itemIdentifier", identifier, to: &out, first: true)
            out.append(UInt8(ascii: "}"))
        }
        JSONText.appendRaw("]}", to: &out)
        return out
    }
}
