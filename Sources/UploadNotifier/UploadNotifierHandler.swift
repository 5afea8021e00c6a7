import CertificateTrust
import Clocks
import HTTP
import LambdaRuntime
import Logging
import S3EventRoutes
import S3Events

/// S3 ObjectCreated notifications in, by any route (direct, SNS, SQS, EventBridge), one signed
/// webhook per upload under `temp/` out.
public final class UploadNotifierHandler: LambdaHandler {
    private let configuration: NotifierConfiguration
    private let lane: UploadLane
    private let metrics: MetricsOutput?
    /// Extra lanes for invocations with several uploads; nil delivers one by one.
    private let lanes: LanePool?

    /// - Parameters:
    ///   - metadataFetcher: nil when `FETCH_OBJECT_METADATA` is off (the fields are then null).
    ///   - metrics: where each invocation's EMF line goes; nil when metrics are off.
    public convenience init(
        configuration: NotifierConfiguration, credentials: WebhookCredentialStore, transport: any HTTPTransport,
        metadataFetcher: ObjectMetadataFetcher? = nil, metrics: MetricsOutput? = nil
    ) {
        self.init(
            configuration: configuration,
            lane: UploadLane(
                delivery: WebhookDelivery(configuration: configuration, credentials: credentials, http: transport),
                metadataFetcher: metadataFetcher),
            metrics: metrics, lanes: nil)
    }

    /// - Parameters:
    ///   - lane: the handler's own connections, used on the calling thread.
    ///   - lanes: where more lanes come from, up to `WEBHOOK_PARALLELISM` per invocation.
    public init(configuration: NotifierConfiguration, lane: UploadLane, metrics: MetricsOutput?, lanes: LanePool?) {
        self.configuration = configuration
        self.lane = lane
        self.metrics = metrics
        self.lanes = lanes
    }

    /// Makes the HTTP connection to one peer, verifying HTTPS against the given CA store (nil: plain
    /// http). `bootstrap` passes ``HTTPClient``; a benchmark variant passes another transport. Each
    /// worker calls it for connections of its own.
    public typealias TransportFactory = @Sendable (TrustStore?) throws(HTTPError) -> any HTTPTransport

    /// Validates the environment, reads secrets, and returns what makes each worker's handler;
    /// throws `ConfigurationError` on bad settings or unreadable secrets.
    public static func factory(_ setup: LambdaInitContext, makeTransport: @escaping TransportFactory) throws -> UploadNotifierFactory {
        try UploadNotifierFactory(setup, makeTransport: makeTransport)
    }

    public func handle(_ event: [UInt8], context: LambdaContext) throws -> [UInt8] {
        var counts = InvocationMetrics()
        // One EMF line per invocation, whatever its outcome, before the result leaves the handler.
        defer { emitMetrics(counts) }
        let routed: RoutedEvent
        switch Result(catching: { () throws(S3RouteError) in try S3EventRouter.route(event) }) {
        case .failure(let error): throw InvalidEventError(reason: error.description)
        case .success(let event): routed = event
        }
        switch routed {
        case .notification(.test(let test), let route):
            acknowledge(test, route: route, context: context)
            return InvocationSummary(delivered: 0, skipped: 0, results: [], testEvent: true).jsonBytes()
        case .notification(.records(let records), _):
            // Direct, SNS, EventBridge: any upload not delivered fails the invocation, so that Lambda
            // retries the event (same webhook-ids) and then hands it to the on-failure destination.
            let processed = records.count == 1
                ? processOne(records[0], counts: &counts, context: context)
                : process([records], orderingGroups: [nil], counts: &counts, context: context)
            guard processed.failures.isEmpty else {
                throw WebhookDeliveryFailed(failures: processed.failures, delivered: counts.delivered)
            }
            return InvocationSummary(results: processed.results).jsonBytes()
        case .sqsBatch(let messages):
            return answer(messages, counts: &counts, context: context).jsonBytes()
        }
    }

    /// An SQS batch: each message fails alone, and only what was not delivered comes back.
    private func answer(_ messages: [SQSMessage], counts: inout InvocationMetrics, context: LambdaContext) -> BatchItemFailures {
        let units = messages.map { message -> [S3EventRecord]? in
            switch message.content {
            case .success(.records(let records)):
                return records
            case .success(.test(let test)):
                acknowledge(test, route: .sqs, context: context)
                return []
            case .failure(let error):
                context.logger.error("SQS message is not an S3 notification; reported as failed, it goes to the dead-letter queue after its receives", metadata: [
                    "messageId": "\(message.messageID)", "problem": "\(error)",
                ])
                return nil
            }
        }
        let processed = process(units, orderingGroups: messages.map(\.orderingGroup), counts: &counts, context: context)
        let answer = BatchItemFailures.select(messages.indices.map { index in
            BatchItemFailures.MessageOutcome(
                messageID: messages[index].messageID, orderingGroup: messages[index].orderingGroup,
                failed: units[index] == nil || processed.failedUnits.contains(index))
        })
        context.logger.info("SQS batch answered", metadata: [
            "messages": "\(messages.count)", "delivered": "\(counts.delivered)", "skipped": "\(counts.skipped)",
            "failed": "\(counts.failed)", "batchItemFailures": "\(answer.itemIdentifiers.joined(separator: ","))",
        ])
        return answer
    }

    /// What became of an invocation's records, counted as each outcome is known.
    private struct Processed {
        /// Delivered and skipped records, in record order.
        var results: [InvocationSummary.RecordResult] = []
        /// Uploads that were attempted and not delivered.
        var failures: [WebhookDeliveryFailed.Failure] = []
        /// Indexes of the units (SQS messages) holding an upload that was not delivered.
        var failedUnits: Set<Int> = []

        mutating func skipped(_ key: String, _ reason: SkipReason, counts: inout InvocationMetrics) {
            results.append(.init(key: key, outcome: .skipped, reason: reason.description))
            counts.skipped += 1
        }

        /// `outcome` nil: not attempted, an earlier upload of its FIFO group was not delivered.
        mutating func record(
            _ upload: UploadNotification, _ outcome: UploadResult?, unit: Int, counts: inout InvocationMetrics,
            keepsLatency: Bool, context: LambdaContext
        ) {
            switch outcome {
            case .delivered(let delivery)?:
                counts.delivered += 1
                counts.attempts += delivery.attempts
                if keepsLatency, let latency = delivery.latency { counts.latencies.append(latency.milliseconds) }
                results.append(.init(key: upload.key, outcome: .delivered, webhookId: upload.webhookID))
            case .gone?:
                skipped(upload.key, .objectNoLongerExists, counts: &counts)
            case .failed(let delivery, let failure)?:
                counts.failed += 1
                counts.attempts += delivery.attempts
                failures.append(.init(key: upload.key, attempts: delivery.attempts, failure: failure))
                failedUnits.insert(unit)
            case nil:
                context.logger.warning("webhook held back: an earlier message of its FIFO group failed", metadata: [
                    "key": "\(upload.key)", "webhookId": "\(upload.webhookID)",
                ])
                counts.failed += 1
                failedUnits.insert(unit)
            }
        }
    }

    /// The usual direct notification, one record: classified and delivered on this thread, without
    /// the plan and the arrays several records need (≈ 10 allocations per invocation).
    private func processOne(_ record: S3EventRecord, counts: inout InvocationMetrics, context: LambdaContext) -> Processed {
        var processed = Processed()
        switch RecordClassifier.classify(record, configuration: configuration) {
        case .skip(let key, let reason):
            context.logger.info("skipped", metadata: ["key": "\(key)", "reason": "\(reason)"])
            processed.skipped(key, reason, counts: &counts)
        case .notify(let upload):
            processed.record(
                upload, lane.send(upload, context: context), unit: 0, counts: &counts, keepsLatency: metrics != nil, context: context)
        }
        return processed
    }

    /// A record's place in the invocation, once classified.
    private enum Entry {
        case skipped(key: String, reason: SkipReason)
        case upload(Int)
    }

    /// Classifies every record, delivers the uploads as ``DeliveryPlan`` allows, and counts the
    /// outcomes in record order. `units`: one per SQS message (nil: malformed), or one for the event.
    private func process(
        _ units: [[S3EventRecord]?], orderingGroups: [String?], counts: inout InvocationMetrics, context: LambdaContext
    ) -> Processed {
        var entries: [Entry] = []
        var uploads: [UploadNotification] = []
        var uploadUnits: [Int] = []
        var plan: [DeliveryPlan.Unit] = []
        for (unit, records) in units.enumerated() {
            var planned = DeliveryPlan.Unit(orderingGroup: orderingGroups[unit], malformed: records == nil, uploads: [])
            for record in records ?? [] {
                switch RecordClassifier.classify(record, configuration: configuration) {
                case .skip(let key, let reason):
                    context.logger.info("skipped", metadata: ["key": "\(key)", "reason": "\(reason)"])
                    entries.append(.skipped(key: key, reason: reason))
                case .notify(let upload):
                    planned.uploads.append(uploads.count)
                    entries.append(.upload(uploads.count))
                    uploads.append(upload)
                    uploadUnits.append(unit)
                }
            }
            plan.append(planned)
        }
        let outcomes = deliver(uploads, chains: DeliveryPlan.chains(plan), context: context)

        var processed = Processed()
        for entry in entries {
            switch entry {
            case .skipped(let key, let reason):
                processed.skipped(key, reason, counts: &counts)
            case .upload(let index):
                processed.record(uploads[index], outcomes[index], unit: uploadUnits[index], counts: &counts, keepsLatency: metrics != nil, context: context)
            }
        }
        return processed
    }

    /// Runs each chain in order, stopping it at its first upload not delivered; several chains at
    /// once when the invocation has more than one and `WEBHOOK_PARALLELISM` allows. By upload index;
    /// nil: not attempted.
    private func deliver(_ uploads: [UploadNotification], chains: [[Int]], context: LambdaContext) -> [UploadResult?] {
        let width = min(configuration.webhookParallelism, chains.count)
        if width > 1, let lanes {
            let extra = lanes.checkOut(width - 1, logger: context.logger)
            defer { lanes.checkIn(extra) }
            return ParallelDelivery.run(chains, uploads: uploads, own: lane, extra: extra, context: context)
        }
        // One upload (or one FIFO group, or parallelism 1): on this thread, as before lanes existed.
        var outcomes = [UploadResult?](repeating: nil, count: uploads.count)
        for chain in chains {
            ParallelDelivery.deliver(chain, uploads: uploads, on: lane, context: context) { outcomes[$0] = $1 }
        }
        return outcomes
    }

    /// S3 sends an `s3:TestEvent` once, when the notification is configured; it carries no upload.
    private func acknowledge(_ test: S3TestEvent, route: S3EventRoute, context: LambdaContext) {
        context.logger.info("acknowledged s3:TestEvent", metadata: ["bucket": "\(test.bucket ?? "-")", "route": "\(route.rawValue)"])
    }

    private func emitMetrics(_ counts: InvocationMetrics) {
        guard let metrics else { return }
        for line in counts.documents(metrics.format, timestampMilliseconds: WallClock.nowMilliseconds()) { metrics.write(line) }
    }
}
