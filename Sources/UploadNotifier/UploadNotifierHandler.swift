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

    /// Makes the HTTP connection to one peer, verifying HTTPS against the given CA store (nil: plain
    /// http). `bootstrap` passes ``HTTPClient``; a benchmark variant passes another transport.
    public typealias TransportFactory = (TrustStore?) throws(HTTPError) -> any HTTPTransport

    /// Validates the environment and builds the handler; throws `ConfigurationError` on bad settings.
    public static func make(_ setup: LambdaInitContext, makeTransport: TransportFactory) throws -> UploadNotifierHandler {
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
        return UploadNotifierHandler(configuration: configuration, transport: try makeTransport(configuration.trustStore))
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
                results.append(.init(key: key, outcome: .skipped, reason: reason.description))
            case .notify(let notification):
                let outcome = delivery.deliver(notification, context: context)
                switch outcome.result {
                case .delivered(let status):
                    context.logger.info("webhook delivered", metadata: [
                        "key": .string(notification.key), "webhookId": .string(notification.webhookID),
                        "status": .string(String(status)), "attempts": .string(String(outcome.attempts)),
                    ])
                    results.append(.init(key: notification.key, outcome: .delivered, webhookId: notification.webhookID))
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
            throw WebhookDeliveryFailed(failures: failures, delivered: results.count { $0.outcome == .delivered })
        }
        return InvocationSummary(results: results).jsonBytes()
    }
}
