#if canImport(Glibc)
import Glibc
#endif

/// A pthread mutex, for what several threads must not do at once.
///
/// `Synchronization.Mutex` would do, but on Linux it is built on futex calls that ThreadSanitizer does
/// not see, so every access under it is reported as a race and the ThreadSanitizer run (`make tsan`)
/// could not tell a real race from it. `pthread_mutex_lock` is one of the calls ThreadSanitizer
/// intercepts. Uncontended, a lock is cheap (Benchmarks/FINDINGS.md).
public final class Lock: @unchecked Sendable {
    // The mutex needs a stable address: allocated once, never moved; pthread calls are thread-safe.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the mutex held throughout.
    public func withLock<Result, E: Error>(_ body: () throws(E) -> Result) throws(E) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// A value that several threads share, read and changed only under its ``Lock``.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = Lock()
    // Touched only inside `lock.withLock`: that is what makes the class safe to share.
    private var value: Value

    public init(_ value: sending Value) {
        self.value = value
    }

    /// Runs `body` with the value, the lock held throughout.
    public func withLock<Result, E: Error>(_ body: (inout Value) throws(E) -> Result) throws(E) -> Result {
        try lock.withLock { () throws(E) -> Result in try body(&value) }
    }
}
