import Clocks

/// The clock, the pause and the randomness a retry loop uses, handed in: the real ones in `bootstrap`,
/// a virtual clock in tests, so that a retry test checks the pauses it would take without taking them.
public struct RetryTime: Sendable {
    public var now: @Sendable () -> ContinuousClock.Instant
    public var pause: @Sendable (Duration) -> Void
    /// A uniform random number in [0, 1), for jitter.
    public var random: @Sendable () -> Double

    public init(
        now: @escaping @Sendable () -> ContinuousClock.Instant, pause: @escaping @Sendable (Duration) -> Void,
        random: @escaping @Sendable () -> Double
    ) {
        self.now = now
        self.pause = pause
        self.random = random
    }

    public static let live = RetryTime(now: { .now }, pause: { Pause.sleep($0) }, random: { Double.random(in: 0..<1) })
}
