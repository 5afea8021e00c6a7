#if canImport(Glibc)
import Glibc
#endif

/// A plain operating-system thread for blocking work: each runtime worker runs its synchronous loop
/// on one, with its own connections. Swift concurrency would add an executor and a second model of
/// threads to a program that only ever blocks in libcurl.
public struct OSThread: Sendable {
    private let handle: pthread_t

    /// Starts `body` on a new thread. `body` is `sending`: what it captures belongs to the new thread
    /// alone, so a handle made for one worker cannot be shared with another by accident.
    public init(_ body: sending @escaping () -> Void) throws(OSThreadError) {
        let box = Unmanaged.passRetained(Body(body))
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { raw in
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            body.run()
            return nil
        }, box.toOpaque())
        guard status == 0 else {
            box.release()
            throw OSThreadError(code: status)
        }
        handle = thread
    }

    /// Waits until the thread's body has returned.
    public func join() {
        _ = pthread_join(handle, nil)
    }

    /// Lets the thread end on its own: nobody will join it (a thread neither joined nor detached
    /// keeps its resources after it ends).
    public func detach() {
        _ = pthread_detach(handle)
    }

    /// Carries the closure across `pthread_create`; only the new thread touches it afterwards.
    private final class Body: @unchecked Sendable {
        let run: () -> Void
        init(_ run: sending @escaping () -> Void) { self.run = run }
    }
}

public struct OSThreadError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var description: String { "pthread_create failed with error \(code)" }
}
