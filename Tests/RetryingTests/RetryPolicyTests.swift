import Retrying
import Testing
import Threads

@Suite struct RetryPolicyTests {
    @Test(arguments: [408, 425, 429, 500, 502, 503, 504, 599])
    func retryableStatuses(status: Int) {
        #expect(RetryPolicy.isRetryable(status: status))
    }

    @Test(arguments: [301, 302, 307, 400, 401, 403, 404, 409, 410, 413, 422])
    func finalStatuses(status: Int) {
        #expect(!RetryPolicy.isRetryable(status: status))
    }

    @Test func fullJitterStaysUnderTheDoublingCeiling() {
        let policy = RetryPolicy(maxAttempts: 10)
        #expect(policy.pause(afterAttempt: 1, unit: 0) == .zero)
        #expect(policy.pause(afterAttempt: 1, unit: 0.999) < .milliseconds(250))
        #expect(policy.pause(afterAttempt: 2, unit: 0.5) == .milliseconds(250))
        #expect(policy.pause(afterAttempt: 3, unit: 0.5) == .milliseconds(500))
        #expect(policy.pause(afterAttempt: 30, unit: 0.999) < .seconds(8))
        #expect(policy.pause(afterAttempt: 30, unit: 0.5) == .seconds(4))
    }

    @Test func withoutJitterThePausesDouble() {
        let policy = RetryPolicy(maxAttempts: 4, firstPause: .milliseconds(50), jitter: .none)
        #expect((1...3).map { policy.pause(afterAttempt: $0, unit: 0.1) } == [.milliseconds(50), .milliseconds(100), .milliseconds(200)])
    }

    /// A transient failure is retried until the attempts run out, a lasting one at once; every
    /// pause goes through the handed-in time and none is slept.
    @Test func runRetriesOnlyTransientFailuresWithinItsAttempts() {
        struct Failure: Error, Equatable { var transient: Bool }
        let policy = RetryPolicy(maxAttempts: 3, firstPause: .milliseconds(100))
        let pauses = Locked<[Duration]>([])
        let time = RetryTime(now: { .now }, pause: { pause in pauses.withLock { $0.append(pause) } }, random: { 0.5 })
        var calls = 0
        let exhausted = policy.run(time: time, isTransient: { (failure: Failure) in failure.transient }) {
            () throws(Failure) -> Int in
            calls += 1
            throw Failure(transient: true)
        }
        #expect(exhausted == .failure(Failure(transient: true)) && calls == 3)
        #expect(pauses.withLock { $0 } == [.milliseconds(50), .milliseconds(100)])

        calls = 0
        var logged: [Int] = []
        let lasting = policy.run(
            time: time, isTransient: { (failure: Failure) in failure.transient }, beforePause: { attempt, _, _ in logged.append(attempt) }
        ) { () throws(Failure) -> Int in
            calls += 1
            throw Failure(transient: false)
        }
        #expect(lasting == .failure(Failure(transient: false)) && calls == 1 && logged.isEmpty)

        calls = 0
        let second = policy.run(time: time, isTransient: { (_: Failure) in true }, beforePause: { attempt, _, _ in logged.append(attempt) }) {
            () throws(Failure) -> Int in
            calls += 1
            if calls == 1 { throw Failure(transient: true) }
            return 7
        }
        #expect(second == .success(7) && logged == [1])
    }
}
