import AWSClient
import LambdaRuntime
import Logging

/// What became of one upload the classifier chose to notify about.
public enum UploadResult: Sendable, Equatable {
    case delivered(DeliveryOutcome)
    /// HeadObject answered 404: deleted after the upload, skipped.
    case gone
    case failed(DeliveryOutcome, DeliveryFailure)
}

/// Sends uploads one after another over its own connections: a webhook transport, and an S3
/// client when metadata is on. The handler has one; parallel delivery adds more (``LanePool``).
///
/// Unchecked `Sendable` because it moves between threads: its libcurl handles are used by one
/// thread at a time, the one the pool checked it out to (or the handler's own thread), never two.
/// Its ``WebhookDelivery`` shares only immutable values and the locked credential store.
public final class UploadLane: @unchecked Sendable {
    let delivery: WebhookDelivery
    let metadataFetcher: ObjectMetadataFetcher?

    public init(delivery: WebhookDelivery, metadataFetcher: ObjectMetadataFetcher?) {
        self.delivery = delivery
        self.metadataFetcher = metadataFetcher
    }

    /// Looks the object up (with metadata on), then delivers its webhook; logs the outcome.
    func send(_ notification: UploadNotification, context: LambdaContext) -> UploadResult {
        var object: ObjectMetadata?
        switch lookUpObject(notification, context: context) {
        case .found(let head)?: object = ObjectMetadata(head)
        case .failed?, nil: object = nil
        case .notFound?:
            context.logger.info("skipped", metadata: ["key": "\(notification.key)", "reason": "\(SkipReason.objectNoLongerExists)"])
            return .gone
        }
        let outcome = delivery.deliver(notification, object: object, context: context)
        switch outcome.result {
        case .delivered(let status):
            context.logger.info("webhook delivered", metadata: [
                "key": .string(notification.key), "webhookId": .string(notification.webhookID),
                "status": .string(String(status)), "attempts": .string(String(outcome.attempts)),
            ])
            return .delivered(outcome)
        case .failed(let failure):
            context.logger.error("webhook not delivered", metadata: [
                "key": "\(notification.key)", "webhookId": "\(notification.webhookID)",
                "attempts": "\(outcome.attempts)", "problem": "\(failure)",
            ])
            return .failed(outcome, failure)
        }
    }

    /// The lookup when `FETCH_OBJECT_METADATA` is on, nil when it is off. A failure is logged here,
    /// and the webhook then carries no metadata.
    private func lookUpObject(_ notification: UploadNotification, context: LambdaContext) -> HeadObjectResult? {
        guard let metadataFetcher else { return nil }
        let fetched = metadataFetcher.fetch(notification, context: context)
        if case .failed(let problem) = fetched {
            context.logger.warning("object metadata unavailable; notifying without it", metadata: [
                "key": "\(notification.key)", "problem": "\(problem)",
                "check": "the function's role needs s3:GetObject (and s3:GetObjectVersion for versioned uploads) on the object, and s3:ListBucket on the bucket for deleted objects to read as 404",
            ])
        }
        return fetched
    }
}
