/// How a retry loop spaces its attempts: how many, the pause after each failure, and which HTTP
/// answers are worth another try. Pure: the clock, the pause and the randomness come from a
/// ``RetryTime``. One type for the Runtime API loop, the webhook, HeadObject and the secret reads.
public struct RetryPolicy: Sendable {
    public enum Jitter: Sendable {
        /// The doubling pause itself: a loop on a local service with no crowd to spread out.
        case none
        /// A uniform pick up to the doubling ceiling, so many functions retrying one struggling
        /// service spread out instead of arriving in waves.
        case full
    }

    public var maxAttempts: Int
    /// The pause (or its ceiling, with jitter) after the first failed attempt; doubled after each further one.
    public var firstPause: Duration
    public var maxPause: Duration
    public var jitter: Jitter

    public init(maxAttempts: Int, firstPause: Duration = .milliseconds(250), maxPause: Duration = .seconds(8), jitter: Jitter = .full) {
        self.maxAttempts = maxAttempts
        self.firstPause = firstPause
        self.maxPause = maxPause
        self.jitter = jitter
    }

    /// 408, 425, 429 and 5xx may succeed later; any other status will not. The same rule for the
    /// backend and for AWS (S3's 503 SlowDown, throttling).
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 425 || status == 429 || (500...599).contains(status)
    }

    /// The pause after failed attempt `attempt` (1-based).
    /// - Parameter unit: a uniform random number in [0, 1); unused without jitter.
    public func pause(afterAttempt attempt: Int, unit: Double) -> Duration {
        let ceiling = min(maxPause, firstPause * (1 << min(max(attempt, 1) - 1, 20)))
        switch jitter {
        case .none: return ceiling
        case .full: return ceiling * max(0, min(unit, 1))
        }
    }

    /// Runs `operation` until it succeeds, fails with an error `isTransient` rejects, or the
    /// attempts run out; pauses between attempts with `time`. `beforePause` sees each retry (to log it).
    @inlinable
    public func run<Value, Failure: Error>(
        time: RetryTime, isTransient: (Failure) -> Bool,
        beforePause: (_ attempt: Int, _ error: Failure, _ pause: Duration) -> Void = { _, _, _ in },
        _ operation: () throws(Failure) -> Value
    ) -> Result<Value, Failure> {
        var attempt = 1
        while true {
            do {
                return .success(try operation())
            } catch {
                guard isTransient(error), attempt < maxAttempts else { return .failure(error) }
                let pause = pause(afterAttempt: attempt, unit: jitter == .none ? 0 : time.random())
                beforePause(attempt, error, pause)
                time.pause(pause)
                attempt += 1
            }
        }
    }
}
