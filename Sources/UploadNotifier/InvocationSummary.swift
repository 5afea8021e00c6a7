import TextBytes

/// What became of one record in an invocation that succeeded.
public enum RecordOutcome: String, Sendable, Equatable {
    case delivered
    case skipped
}

/// The invocation's response when every upload was delivered (or skipped).
public struct InvocationSummary: Sendable, Equatable {
    public struct RecordResult: Sendable, Equatable {
        public var key: String
        public var outcome: RecordOutcome
        public var reason: String?
        public var webhookId: String?

        public init(key: String, outcome: RecordOutcome, reason: String? = nil, webhookId: String? = nil) {
            self.key = key
            self.outcome = outcome
            self.reason = reason
            self.webhookId = webhookId
        }
    }

    public var delivered: Int
    public var skipped: Int
    public var results: [RecordResult]
    public var testEvent: Bool?

    public init(delivered: Int, skipped: Int, results: [RecordResult], testEvent: Bool? = nil) {
        self.delivered = delivered
        self.skipped = skipped
        self.results = results
        self.testEvent = testEvent
    }

    /// Counts the outcomes of `results`.
    public init(results: [RecordResult]) {
        self.init(
            delivered: results.count { $0.outcome == .delivered },
            skipped: results.count { $0.outcome == .skipped }, results: results)
    }

    /// The response bytes; optional members are left out when absent.
    public func jsonBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + results.count * 160)
        JSONText.appendRaw(#"{"delivered":"#, to: &out)
        JSONText.appendInteger(Int64(delivered), to: &out)
        JSONText.appendRaw(#","skipped":"#, to: &out)
        JSONText.appendInteger(Int64(skipped), to: &out)
        JSONText.appendRaw(#","results":["#, to: &out)
        for (index, result) in results.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            JSONText.appendMember("key", result.key, to: &out, first: true)
            JSONText.appendMember("outcome", result.outcome.rawValue, to: &out)
            if let reason = result.reason { JSONText.appendMember("reason", reason, to: &out) }
            if let webhookId = result.webhookId { JSONText.appendMember("webhookId", webhookId, to: &out) }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        if let testEvent { testEvent ? JSONText.appendRaw(#","testEvent":true"#, to: &out) : JSONText.appendRaw(#","testEvent":false"#, to: &out) }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
