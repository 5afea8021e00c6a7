import AWSClient
import Clocks
import LambdaRuntime
import Logging
import Retrying

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

    /// The lookup's answer; a failure is the last one, or ``S3Failure/Reason/noTimeLeft(after:)``
    /// when the deadline stopped the retries.
    public func fetch(_ notification: UploadNotification, context: LambdaContext) -> HeadObjectResult {
        let bucket = notification.record.s3.bucket.name
        let versionID = notification.record.s3.object.versionId
        let stopAt = context.deadline - reserve
        var last: S3Failure?
        for attempt in 1...policy.maxAttempts {
            guard time.now() + Self.attemptTimeout <= stopAt else {
                return .failed(S3Failure(
                    bucket: bucket, key: notification.key, versionID: versionID, reason: .noTimeLeft(after: last?.description)))
            }
            let answer = reader.headObject(bucket: bucket, key: notification.key, versionID: versionID)
            guard case .failed(let failure) = answer, failure.isTransient, attempt < policy.maxAttempts else { return answer }
            last = failure
            let pause = policy.pause(afterAttempt: attempt, unit: time.random())
            context.logger.warning("HeadObject failed; retrying", metadata: [
                "key": "\(notification.key)", "attempt": "\(attempt)", "problem": "\(failure)",
                "retryInMs": "\(pause.wholeMilliseconds)",
            ])
            time.pause(pause)
        }
        preconditionFailure("the last attempt always returns")
    }
}
