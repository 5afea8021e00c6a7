import HTTP
import LambdaRuntime
import Logging
import S3Events

/// S3 ObjectCreated notifications in, one signed webhook per upload under `temp/` out.
public final class UploadNotifierHandler: LambdaHandler {
    private let configuration: NotifierConfiguration
    private let delivery: WebhookDelivery

    public init(configuration: NotifierConfiguration, transport: any HTTPTransport) {
        self.configuration = configuration
        self.delivery = WebhookDelivery(configuration: configuration, http: transport)
    }

    /// Validates the environment and builds the handler; throws `ConfigurationError` on bad settings.
    public static func make(_ setup: LambdaInitContext) throws -> UploadNotifierHandler {
        let configuration = try NotifierConfiguration(environment: setup.variables)
        if configuration.signsWithAPIKey {
            setup.logger.warning(
                "WEBHOOK_SIGNING_SECRET is not set: signing with a key derived from the API key, which travels in every request; set a separate whsec_ secret so signatures also prove authenticity")
        }
        setup.logger.info("upload notifier ready", metadata: [
            "version": "\(NotifierVersion.current)",
            "prefix": "\(configuration.audioFilesPrefix)",
            "maxAttempts": "\(configuration.maxAttempts)",
            "signingSecrets": "\(configuration.signer.secrets.count)",
            "trustStore": "\(configuration.trustStore?.description ?? "none (plain http)")",
        ])
        return UploadNotifierHandler(configuration: configuration, transport: try setup.makeTransport(configuration.trustStore))
    }

    public func handle(_ event: [UInt8], context: LambdaContext) throws -> [UInt8] {
        let records: [S3EventRecord]
        switch Result(catching: { () throws(S3EventError) in try S3Notification.decode(event) }) {
        case .failure(let error):
            throw InvalidEventError(reason: error.description)
        case .success(.test(let test)):
            context.logger.info("acknowledged s3:TestEvent", metadata: ["bucket": "\(test.bucket ?? "-")"])
            return InvocationSummary(delivered: 0, skipped: 0, results: [], testEvent: true).jsonBytes()
        case .success(.records(let decoded)):
            records = decoded
        }

        var results: [InvocationSummary.RecordResult] = []
        var failures: [WebhookDeliveryFailed.Failure] = []
        for record in records {
            switch RecordClassifier.classify(record, configuration: configuration) {
            case .skip(let key, let reason):
                context.logger.info("skipped", metadata: ["key": "\(key)", "reason": "\(reason)"])
                results.append(.init(key: key, outcome: "skipped", reason: reason.description))
            case .notify(let notification):
                let outcome = delivery.deliver(notification, context: context)
                switch outcome.result {
                case .delivered(let status):
                    context.logger.info("webhook delivered", metadata: [
                        "key": .string(notification.key), "webhookId": .string(notification.webhookID),
                        "status": .string(String(status)), "attempts": .string(String(outcome.attempts)),
                    ])
                    results.append(.init(key: notification.key, outcome: "delivered", webhookId: notification.webhookID))
                case .failed(let failure):
                    context.logger.error("webhook not delivered", metadata: [
                        "key": "\(notification.key)", "webhookId": "\(notification.webhookID)",
                        "attempts": "\(outcome.attempts)", "problem": "\(failure)",
                    ])
                    failures.append(.init(key: notification.key, attempts: outcome.attempts, failure: failure))
                }
            }
        }
        guard failures.isEmpty else {
            throw WebhookDeliveryFailed(failures: failures, delivered: results.count { $0.outcome == "delivered" })
        }
        return InvocationSummary(
            delivered: results.count { $0.outcome == "delivered" },
            skipped: results.count { $0.outcome == "skipped" },
            results: results
        ).jsonBytes()
    }
}

/// The invocation's response when every upload was delivered (or skipped).
public struct InvocationSummary: Codable, Sendable, Equatable {
    public struct RecordResult: Codable, Sendable, Equatable {
        public var key: String
        /// `delivered` or `skipped`.
        public var outcome: String
        public var reason: String?
        public var webhookId: String?
    }

    public var delivered: Int
    public var skipped: Int
    public var results: [RecordResult]
    public var testEvent: Bool?

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
            JSONText.appendMember("outcome", result.outcome, to: &out)
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

/// The event is not an S3 notification.
public struct InvalidEventError: LambdaFunctionError, Equatable {
    public var reason: String
    public var errorType: String { "InvalidEvent" }
    public var errorMessage: String { reason }
}

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
