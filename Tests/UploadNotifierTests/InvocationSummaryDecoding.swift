import UploadNotifier

// Decoding serves only the tests (a response read back must equal the summary); the response is
// written by `jsonBytes()`, and `bootstrap` never reads one, so the conformances live here.

extension RecordOutcome: Decodable {}

extension InvocationSummary.RecordResult: Decodable {
    enum Member: String, CodingKey { case key, outcome, reason, webhookId }

    public init(from decoder: any Decoder) throws {
        let members = try decoder.container(keyedBy: Member.self)
        self.init(
            key: try members.decode(String.self, forKey: .key), outcome: try members.decode(RecordOutcome.self, forKey: .outcome),
            reason: try members.decodeIfPresent(String.self, forKey: .reason),
            webhookId: try members.decodeIfPresent(String.self, forKey: .webhookId))
    }
}

extension InvocationSummary: Decodable {
    enum Member: String, CodingKey { case delivered, skipped, results, testEvent }

    public init(from decoder: any Decoder) throws {
        let members = try decoder.container(keyedBy: Member.self)
        self.init(
            delivered: try members.decode(Int.self, forKey: .delivered), skipped: try members.decode(Int.self, forKey: .skipped),
            results: try members.decode([RecordResult].self, forKey: .results),
            testEvent: try members.decodeIfPresent(Bool.self, forKey: .testEvent))
    }
}
