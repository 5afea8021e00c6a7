import LambdaRuntime

/// At least one upload was not delivered. Failing the invocation hands the event to Lambda's
/// asynchronous retries and then to the on-failure destination, so nothing is lost; uploads that
/// were delivered are sent again with the same webhook-id, which the backend deduplicates.
public struct WebhookDeliveryFailed: LambdaFunctionError, Equatable {
    public struct Failure: Sendable, Equatable {
        public var key: String
        public var attempts: Int
        public var failure: DeliveryFailure
    }

    public var failures: [Failure]
    public var delivered: Int

    public var errorType: String { "WebhookDeliveryFailed" }
    public var errorMessage: String {
        let list = failures.map { "\($0.key) (\($0.failure) after \($0.attempts) attempt\($0.attempts == 1 ? "" : "s"))" }
        return "\(failures.count) upload notification\(failures.count == 1 ? "" : "s") not delivered: "
            + list.joined(separator: "; ")
            + (delivered > 0 ? "; \(delivered) delivered, to be re-sent with the same webhook-id on retry" : "")
    }
}
