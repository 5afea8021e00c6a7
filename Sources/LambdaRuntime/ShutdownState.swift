import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Whether SIGTERM (or SIGINT, for local runs) or a lost Runtime API has asked the runtime to stop,
/// and how many workers are busy: a stop lets every in-flight invocation finish and starts no new
/// one; the process ends when the last busy worker is done.
///
/// A worker waiting in `next` has nothing to finish, and libcurl would resume its wait after the
/// interrupted system call, so once no worker is busy the signal handler exits at once.
///
/// One atomic word holds the busy count and the two flags, so that exactly one party sees the moment
/// "stop requested and nobody busy": the one whose atomic operation made it true.
final class ShutdownState: Sendable {
    private static let stopRequested = 1 << 32
    private static let runtimeAPILost = 1 << 33
    private static let busyMask = (1 << 32) - 1
    /// Starts with one busy worker: the one being initialised.
    private let state = Atomic<Int>(1)

    /// The state the process's signal handlers act on.
    static let process = ShutdownState()

    /// Counts `count` more workers as busy (initialising) before they start.
    func addWorkers(_ count: Int) {
        state.wrappingAdd(count, ordering: .sequentiallyConsistent)
    }

    /// Records a shutdown request; true when no worker is busy and the process may end now.
    /// Async-signal-safe: one atomic operation.
    func request() -> Bool {
        state.bitwiseOr(Self.stopRequested, ordering: .sequentiallyConsistent).oldValue & Self.busyMask == 0
    }

    /// Marks the worker as about to wait for `next`; false when a stop was requested.
    func enterWaiting() -> Bool {
        state.wrappingSubtract(1, ordering: .sequentiallyConsistent).oldValue & Self.stopRequested == 0
    }

    /// Marks an invocation as in flight; false (and nothing counted) when a stop was requested.
    func enterBusy() -> Bool {
        var current = state.load(ordering: .sequentiallyConsistent)
        while current & Self.stopRequested == 0 {
            let (exchanged, original) = state.compareExchange(
                expected: current, desired: current + 1, ordering: .sequentiallyConsistent)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// A worker lost the Runtime API: no worker starts anything new, and the process exits 1.
    func runtimeAPIWasLost() {
        state.bitwiseOr(Self.stopRequested | Self.runtimeAPILost, ordering: .sequentiallyConsistent)
    }

    /// The exit code once a stop was requested and no worker is busy; nil while the process must go on.
    var exitCode: Int32? {
        let current = state.load(ordering: .sequentiallyConsistent)
        guard current & Self.stopRequested != 0, current & Self.busyMask == 0 else { return nil }
        return current & Self.runtimeAPILost != 0 ? 1 : 0
    }

    /// Workers inside an invocation (or still starting).
    var busyWorkers: Int { state.load(ordering: .sequentiallyConsistent) & Self.busyMask }

    /// Routes SIGTERM and SIGINT to ``process``.
    static func installSignalHandlers() {
        _ = process  // initialised here: a lazy global's first touch is not async-signal-safe
        let handler: @convention(c) (Int32) -> Void = { _ in
            // Only async-signal-safe work here: an atomic operation and _exit.
            if ShutdownState.process.request() { _exit(ShutdownState.process.exitCode ?? 0) }
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
