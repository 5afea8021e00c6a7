import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM (and SIGINT, for local runs): finish the in-flight invocation, then exit 0.
///
/// While the loop waits in `next` there is nothing to finish, and libcurl would resume its wait
/// after the interrupted system call, so the handler exits at once from there.
enum ShutdownSignal {
    private static let busy = 0
    private static let waiting = 1
    private static let requested = 2
    private static let state = Atomic<Int>(0)

    static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            // Only async-signal-safe work here: an atomic exchange and _exit.
            if ShutdownSignal.state.exchange(ShutdownSignal.requested, ordering: .sequentiallyConsistent) == ShutdownSignal.waiting {
                _exit(0)
            }
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

    /// Marks the loop as about to wait for `next`; false when a shutdown was requested meanwhile.
    static func enterWaiting() -> Bool {
        state.compareExchange(expected: busy, desired: waiting, ordering: .sequentiallyConsistent).exchanged
    }

    /// Marks an invocation as in flight; false when a shutdown was requested meanwhile.
    static func enterBusy() -> Bool {
        state.compareExchange(expected: waiting, desired: busy, ordering: .sequentiallyConsistent).exchanged
    }
}
