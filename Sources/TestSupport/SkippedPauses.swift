import Retrying
import Threads

/// Retry time in which pauses are recorded and skipped: the clock is the real one plus every pause
/// taken so far, so an attempt's real duration counts and no test sleeps to test a retry.
public final class SkippedPauses: Sendable {
    private let skipped = Locked<[Duration]>([])

    public init() {}

    public var pauses: [Duration] { skipped.withLock { $0 } }

    public var time: RetryTime {
        RetryTime(
            now: { [skipped] in ContinuousClock.now + skipped.withLock { $0.reduce(.zero, +) } },
            pause: { [skipped] pause in skipped.withLock { $0.append(pause) } },
            random: { 0.5 })
    }
}
