import HTTP
import LambdaRuntime
import Logging
import MiniFoundation
import S3EventRoutes
import S3Events

/// S3 ObjectCreated notifications in, one signed webhook per upload under `temp/` out.
public final class UploadNotifierHandler: LambdaHandler {
    private let configuration: NotifierConfiguration
    private let delivery: WebhookDelivery
    private let metadataFetcher: ObjectMetadataFetcher?
    private let metrics: MetricsOutput?

    /// - Parameters:
    ///   - metadataFetcher: nil when `FETCH_OBJECT_METADATA` is off (the fields are then null).
    ///   - metrics: where each invocation's EMF line goes; nil when metrics are off.
    public init(
        configuration: NotifierConfiguration, credentials: WebhookCredentialStore, transport: any HTTPTransport,
        metadataFetcher: ObjectMetadataFetcher? = nil, metrics: MetricsOutput? = nil
    ) {
        self.configuration = configuration
        self.delivery = WebhookDelivery(configuration: configuration, credentials: credentials, http: transport)
        self.metadataFetcher = metadataFetcher
        self.metrics = metrics
    }

    /// Makes the HTTP connection to one peer, verifying HTTPS against the given CA store (nil: plain
    /// http). `bootstrap` passes ``HTTPClient``; a benchmark variant passes another transport.
    public typealias TransportFactory = (TrustStore?) throws(HTTPError) -> any HTTPTransport

    /// Validates the environment, reads secrets, and builds the handler; throws `ConfigurationError`
    /// on bad settings or unreadable secrets.
    public static func make(_ setup: LambdaInitContext, makeTransport: @escaping TransportFactory) throws -> UploadNotifierHandler {
        try NotifierSetup(setup, makeTransport: makeTransport).handler()
    }

    public func handle(_ event: [UInt8], context: LambdaContext) throws -> [UInt8] {
        var counts = InvocationMetrics()
        // One EMF line per invocation, whatever its outcome, before the result leaves the handler.
        defer { emitMetrics(counts) }
        let records: [S3EventRecord]
        switch Result(catching: { () throws(S3RouteError) in try S3EventRouter.route(event) }) {
        case .failure(let error):
            throw InvalidEventError(reason: error.description)
        case .success(.notification(.test(let test), let route)):
            return acknowledge(test, route: route, context: context)
        case .success(.notification(.records(let decoded), _)):
            records = decoded
        case .success(.sqsBatch(let messages)):
            records = try messages.flatMap { message throws(InvalidEventError) -> [S3EventRecord] in
                switch message.content {
                case .success(.records(let records)): return records
                case .success(.test): return []
                case .failure(let error): throw InvalidEventError(reason: "SQS message \(message.messageID): \(error)")
                }
            }
        }

        var results: [InvocationSummary.RecordResult] = []
        var failures: [WebhookDeliveryFailed.Failure] = []
        for record in records {
            let notification: UploadNotification
            switch RecordClassifier.classify(record, configuration: configuration) {
            case .skip(let key, let reason):
                skip(key, reason, into: &results, counts: &counts, context: context)
                continue
            case .notify(let upload):
                notification = upload
            }
            let object: ObjectMetadata?
            switch lookUpObject(notification, context: context) {
            case .found(let metadata): object = metadata
            case .unavailable: object = nil
            case .gone:
                skip(notification.key, .objectNoLongerExists, into: &results, counts: &counts, context: context)
                continue
            }
            let outcome = delivery.deliver(notification, object: object, context: context)
            counts.attempts += outcome.attempts
            switch outcome.result {
            case .delivered(let status):
                counts.delivered += 1
                if metrics != nil, let latency = outcome.latency { counts.latencies.append(latency.milliseconds) }
                context.logger.info("webhook delivered", metadata: [
                    "key": .string(notification.key), "webhookId": .string(notification.webhookID),
                    "status": .string(String(status)), "attempts": .string(String(outcome.attempts)),
                ])
                results.append(.init(key: notification.key, outcome: .delivered, webhookId: notification.webhookID))
            case .failed(let failure):
                counts.failed += 1
                context.logger.error("webhook not delivered", metadata: [
                    "key": "\(notification.key)", "webhookId": "\(notification.webhookID)",
                    "attempts": "\(outcome.attempts)", "problem": "\(failure)",
                ])
                failures.append(.init(key: notification.key, attempts: outcome.attempts, failure: failure))
            }
        }
        guard failures.isEmpty else {
            throw WebhookDeliveryFailed(failures: failures, delivered: results.count { $0.outcome == .delivered })
        }
        return InvocationSummary(results: results).jsonBytes()
    }

    /// S3 sends an `s3:TestEvent` once, when the notification is configured; it carries no upload.
    private func acknowledge(_ test: S3TestEvent, route: S3EventRoute, context: LambdaContext) -> [UInt8] {
        context.logger.info("acknowledged s3:TestEvent", metadata: ["bucket": "\(test.bucket ?? "-")", "route": "\(route.rawValue)"])
        return InvocationSummary(delivered: 0, skipped: 0, results: [], testEvent: true).jsonBytes()
    }

    private func skip(
        _ key: String, _ reason: SkipReason, into results: inout [InvocationSummary.RecordResult],
        counts: inout InvocationMetrics, context: LambdaContext
    ) {
        context.logger.info("skipped", metadata: ["key": "\(key)", "reason": "\(reason)"])
        results.append(.init(key: key, outcome: .skipped, reason: reason.description))
        counts.skipped += 1
    }

    /// The object's metadata when `FETCH_OBJECT_METADATA` is on; `.unavailable` when it is off or the
    /// lookup failed (logged here), and the webhook then carries no metadata.
    private func lookUpObject(_ notification: UploadNotification, context: LambdaContext) -> MetadataFetch {
        guard let metadataFetcher else { return .unavailable("FETCH_OBJECT_METADATA is off") }
        let fetched = metadataFetcher.fetch(notification, context: context)
        if case .unavailable(let problem) = fetched {
            context.logger.warning("object metadata unavailable; notifying without it", metadata: [
                "key": "\(notification.key)", "problem": "\(problem)",
                "check": "the function's role needs s3:GetObject (and s3:GetObjectVersion for versioned uploads) on the object, and s3:ListBucket on the bucket for deleted objects to read as 404",
            ])
        }
        return fetched
    }

    private func emitMetrics(_ counts: InvocationMetrics) {
        guard let metrics else { return }
        for line in counts.documents(metrics.format, timestampMilliseconds: WallClock.nowMilliseconds()) { metrics.write(line) }
    }
}
