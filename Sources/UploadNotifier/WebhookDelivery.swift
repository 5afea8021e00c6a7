import Clocks
import HTTP
import LambdaRuntime
import Logging
import Retrying
import StandardWebhooks

/// What became of one upload's webhook.
public struct DeliveryOutcome: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        case delivered(status: Int)
        case failed(DeliveryFailure)
    }

    public var attempts: Int
    public var result: Result
    /// Delivered: the time the successful attempt took, request sent to answer read.
    public var latency: Duration?

    public init(attempts: Int, result: Result, latency: Duration? = nil) {
        self.attempts = attempts
        self.result = result
        self.latency = latency
    }
}

/// The last thing that went wrong, in words an operator can act on.
public enum DeliveryFailure: Sendable, Equatable, CustomStringConvertible {
    /// The backend answered with a status that retrying will not change (4xx, 3xx).
    case rejected(status: Int)
    /// Retryable answers or transport errors until the attempts ran out.
    case exhausted(last: String)
    /// The invocation deadline left no room for another attempt or the requested pause.
    case outOfTime(last: String?)

    public var description: String {
        switch self {
        case .rejected(let status): "HTTP \(status), not retryable"
        case .exhausted(let last): "\(last), attempts exhausted"
        case .outOfTime(let last): (last.map { "\($0); " } ?? "") + "stopped before the invocation deadline"
        }
    }
}

/// Sends signed webhooks with retries, inside the invocation's deadline.
public final class WebhookDelivery {
    /// Kept free at the end of the invocation to report a failure before Lambda's timeout.
    public static let reportingReserve: Duration = .milliseconds(500)
    /// An attempt with less time than this cannot realistically succeed.
    static let minimumAttemptTime: Duration = .milliseconds(100)

    private let configuration: NotifierConfiguration
    private let credentials: WebhookCredentialStore
    private let http: any HTTPTransport
    private let policy: RetryPolicy
    private let time: RetryTime
    private let userAgent = "AudioUploadNotifier/\(NotifierVersion.current)"

    /// - Parameter time: when to stop, how to pause, the jitter; a virtual clock in tests.
    public init(
        configuration: NotifierConfiguration, credentials: WebhookCredentialStore, http: any HTTPTransport, time: RetryTime = .live
    ) {
        self.time = time
        self.configuration = configuration
        self.credentials = credentials
        self.http = http
        self.policy = RetryPolicy(maxAttempts: configuration.maxAttempts)
    }

    /// - Parameter object: the object's metadata for the body; nil sends those fields as null.
    public func deliver(_ notification: UploadNotification, object: ObjectMetadata? = nil, context: LambdaContext) -> DeliveryOutcome {
        let body = WebhookPayload(notification, object: object).jsonBytes()
        // One re-read of rotated secrets per delivery at most; it does not use up an attempt.
        var mayRereadSecrets = credentials.usesSecrets
        var current = credentials.current  // one read per delivery, again only after a re-read
        let logger = context.logger
        let stopAt = context.deadline - Self.reportingReserve
        var last: String?
        var attempt = 0
        var allowedAttempts = policy.maxAttempts
        while attempt < allowedAttempts {
            let timeLeft = stopAt - time.now()
            guard timeLeft >= Self.minimumAttemptTime else {
                return DeliveryOutcome(attempts: attempt, result: .failed(.outOfTime(last: last)))
            }
            attempt += 1
            logger.debug("sending webhook", metadata: [
                "key": "\(notification.key)", "webhookId": "\(notification.webhookID)", "attempt": "\(attempt)",
            ])
            let request = signedRequest(
                body: body, credentials: current, webhookID: notification.webhookID, traceID: context.traceID,
                timeout: min(configuration.attemptTimeout, timeLeft))
            let pause: Duration
            do {
                let sent = ContinuousClock.now
                let response = try http.send(request)
                if (200..<300).contains(response.status) {
                    return DeliveryOutcome(attempts: attempt, result: .delivered(status: response.status), latency: .now - sent)
                }
                if (response.status == 401 || response.status == 403) && mayRereadSecrets {
                    mayRereadSecrets = false
                    if let fresh = credentials(replacing: current, refusedWith: response.status, key: notification.key, logger: logger) {
                        current = fresh
                        allowedAttempts += 1  // the refused attempt was made with stale credentials
                        continue
                    }
                }
                guard RetryPolicy.isRetryable(status: response.status) else {
                    return DeliveryOutcome(attempts: attempt, result: .failed(.rejected(status: response.status)))
                }
                last = "HTTP \(response.status)"
                pause = RetryPolicy.retryAfter(response.headers.value(for: "Retry-After"), nowSeconds: WallClock.nowSeconds())
                    ?? policy.pause(afterAttempt: attempt, unit: time.random())
            } catch {
                last = error.description
                pause = policy.pause(afterAttempt: attempt, unit: time.random())
            }
            guard attempt < allowedAttempts else { break }
            guard time.now() + pause + Self.minimumAttemptTime <= stopAt else {
                logger.warning("webhook attempt failed; no time left to retry", metadata: [
                    "key": "\(notification.key)", "attempt": "\(attempt)", "problem": "\(last ?? "")",
                ])
                return DeliveryOutcome(attempts: attempt, result: .failed(.outOfTime(last: last)))
            }
            logger.warning("webhook attempt failed; retrying", metadata: [
                "key": "\(notification.key)", "attempt": "\(attempt)", "problem": "\(last ?? "")",
                "retryInMs": "\(pause.wholeMilliseconds)",
            ])
            time.pause(pause)
        }
        return DeliveryOutcome(attempts: attempt, result: .failed(.exhausted(last: last ?? "no attempt made")))
    }

    /// After a 401 or 403: credentials to send again with at once, when the secrets changed; nil
    /// when they did not (or could not be read, which is logged).
    private func credentials(
        replacing refused: WebhookCredentials, refusedWith status: Int, key: String, logger: Logger
    ) -> WebhookCredentials? {
        switch credentials.credentials(replacing: refused) {
        case .success(let fresh?):
            logger.warning("backend refused the webhook credentials; the secrets changed, sending again at once", metadata: [
                "key": "\(key)", "status": "\(status)",
            ])
            return fresh
        case .success(nil):
            return nil
        case .failure(let error):
            logger.error("backend refused the webhook credentials and the secrets could not be read again", metadata: [
                "key": "\(key)", "problem": "\(error.errorMessage)",
            ])
            return nil
        }
    }

    /// Signed afresh for every attempt: `webhook-timestamp` is the sending time.
    func signedRequest(
        body: [UInt8], credentials: WebhookCredentials, webhookID: String, traceID: String?, timeout: Duration
    ) -> HTTPRequest {
        let timestamp = WallClock.nowSeconds()
        var headers = [
            HTTPHeader("Content-Type", "application/json"),
            HTTPHeader("User-Agent", userAgent),
            HTTPHeader("X-Webhook-Api-Key", credentials.apiKey),
            HTTPHeader("webhook-id", webhookID),
            HTTPHeader("webhook-timestamp", String(timestamp)),
            HTTPHeader("webhook-signature", credentials.signer.signature(id: webhookID, timestamp: timestamp, body: body)),
        ]
        if let traceID { headers.append(HTTPHeader("X-Amzn-Trace-Id", traceID)) }
        return HTTPRequest(
            method: "POST", url: configuration.webhookURL, headers: headers, body: body,
            timeout: timeout, connectTimeout: min(timeout, .seconds(3)))
    }
}
