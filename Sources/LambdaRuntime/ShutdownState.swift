import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Whether SIGTERM (or SIGINT, for local runs) has asked the runtime to stop, and what the loop is
/// doing: a shutdown finishes the in-flight invocation, then the process exits 0.
///
/// While the loop waits in `next` there is nothing to finish, and libcurl would resume its wait
/// after the interrupted system call, so the signal handler exits at once from there.
final class ShutdownState: Sendable {
    private static let busy = 0
    private static let waiting = 1
    private static let requested = 2
    private let state = Atomic<Int>(0)

    /// The state the process's signal handlers act on.
    static let process = ShutdownState()

    /// Records a shutdown request; true when the loop is waiting in `next` and the process may end now.
    /// Async-signal-safe: one atomic exchange.
    func request() -> Bool {
        state.exchange(Self.requested, ordering: .sequentiallyConsistent) == Self.waiting
    }

    /// Marks the loop as about to wait for `next`; false when a shutdown was requested meanwhile.
    func enterWaiting() -> Bool {
        state.compareExchange(expected: Self.busy, desired: Self.waiting, ordering: .sequentiallyConsistent).exchanged
    }

    /// Marks an invocation as in flight; false when a shutdown was requested meanwhile.
    func enterBusy() -> Bool {
        state.compareExchange(expected: Self.waiting, desired: Self.busy, ordering: .sequentiallyConsistent).exchanged
    }

    /// Routes SIGTERM and SIGINT to ``process``.
    static func installSignalHandlers() {
        _ = process  // initialised here: a lazy global's first touch is not async-signal-safe
        let handler: @convention(c) (Int32) -> Void = { _ in
            // Only async-signal-safe work here: an atomic exchange and _exit.
            if ShutdownState.process.request() { _exit(0) }
        }
        signal(SIGTERM, handler)
        signal(SIGINT, handler)
        // A parent may hand down a mask that blocks these (Foundation's Process does), which would
        // leave the signal pending forever.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGTERM)
        sigaddset(&unblock, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }
}
