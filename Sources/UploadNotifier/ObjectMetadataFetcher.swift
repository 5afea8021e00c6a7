import LambdaRuntime
import Logging
import MiniFoundation

/// The outcome of looking up one upload's object before its webhook.
public enum MetadataFetch: Sendable, Equatable {
    case found(ObjectMetadata)
    /// Deleted before we looked: notifying would queue preprocessing that can only fail.
    case gone
    /// Not known, for the reason given: the webhook goes out with the fields null.
    case unavailable(String)
}

/// HEADs each upload's object with retries inside the invocation's deadline, always leaving room
/// for the webhook itself: metadata is an extra, never a reason to lose a notification.
public final class ObjectMetadataFetcher {
    /// Attempts per object; transient S3 errors (503 SlowDown, no answer) are retried.
    static let maxAttempts = 3
    /// What one HeadObject may take (the S3 client's own time limit).
    public static let attemptTimeout: Duration = .seconds(2)

    private let reader: any ObjectHeadReader
    private let policy = RetryPolicy(maxAttempts: maxAttempts)
    private let time: RetryTime
    /// Kept free for the webhook and for reporting.
    private let reserve: Duration

    public init(reader: any ObjectHeadReader, webhookAttemptTimeout: Duration, time: RetryTime = .live) {
        self.reader = reader
        self.time = time
        self.reserve = WebhookDelivery.reportingReserve + min(webhookAttemptTimeout, .seconds(2))
    }

    public func fetch(_ notification: UploadNotification, context: LambdaContext) -> MetadataFetch {
        let object = notification.record.s3.object
        let stopAt = context.deadline - reserve
        var last = "no attempt made"
        for attempt in 1...policy.maxAttempts {
            guard time.now() + Self.attemptTimeout <= stopAt else {
                return .unavailable("\(last); no time left before the invocation deadline")
            }
            switch reader.headObject(bucket: notification.record.s3.bucket.name, key: notification.key, versionID: object.versionId) {
            case .found(let metadata): return .found(metadata)
            case .gone: return .gone
            case .failed(let problem, let transient):
                last = problem
                guard transient, attempt < policy.maxAttempts else { return .unavailable(problem) }
                let pause = policy.pause(afterAttempt: attempt, unit: time.random())
                context.logger.warning("HeadObject failed; retrying", metadata: [
                    "key": "\(notification.key)", "attempt": "\(attempt)", "problem": "\(problem)",
                    "retryInMs": "\(pause.wholeMilliseconds)",
                ])
                time.pause(pause)
            }
        }
        return .unavailable(last)
    }
}
