import LambdaRuntimeAPI
import Logging
import Threads

#if canImport(Glibc)
import Glibc
#endif

/// Runs N workers for Lambda Managed Instances: each a thread running the ordinary synchronous loop
/// with its own Runtime API connection and its own handler, so that no libcurl handle is ever
/// shared. Workers share only the handler factory (immutable or locked) and the ``ShutdownState``.
///
/// Failure, as the Go and Rust runtimes settled it: a handler error stays in its invocation; a worker
/// that loses the Runtime API (after its retries) stops every worker from taking new work, lets the
/// in-flight invocations finish, and the process exits 1 so that Lambda replaces the environment.
/// SIGTERM does the same with exit 0.
struct WorkerPool: Sendable {
    let workers: Int
    let shutdown: ShutdownState
    /// A worker's loop, with a Runtime API connection of its own; called on that worker's thread.
    let makeLoop: @Sendable () throws -> RuntimeLoop
    let logger: Logger

    /// Starts the workers, each making its loop and handler on its own thread; returns the exit code
    /// once a stop was requested and no invocation is in flight, and the threads (for tests to join).
    func run<Factory: LambdaHandlerFactory>(_ factory: Factory) -> (exitCode: Int32, threads: [OSThread]) {
        let finished = Semaphore()
        let shutdown = self.shutdown
        let logger = self.logger
        let makeLoop = self.makeLoop
        // Counted busy until each starts polling, so a SIGTERM during start-up waits for all of them;
        // the first takes over the count init started with.
        shutdown.addWorkers(workers - 1)
        var threads: [OSThread] = []
        do {
            for index in 0..<workers {
                threads.append(try OSThread {
                    do {
                        let loop = try makeLoop()
                        _ = loop.serve(try factory.makeHandler())
                    } catch {
                        logger.critical("worker \(index) could not start: \(error)")
                        shutdown.runtimeAPIWasLost()
                        _ = shutdown.enterWaiting()
                    }
                    if shutdown.exitCode != nil { finished.signal() }
                })
            }
        } catch {
            // Fewer workers than Lambda expects would throttle invocations: end the environment.
            logger.critical("cannot start \(workers) workers: \(error)")
            shutdown.runtimeAPIWasLost()
            for _ in threads.count..<workers { _ = shutdown.enterWaiting() }
            if shutdown.exitCode != nil { finished.signal() }
        }
        finished.wait()
        return (shutdown.exitCode ?? 1, threads)
    }
}

/// A counting semaphore: the workers signal, the main thread waits for the exit.
final class Semaphore: @unchecked Sendable {
    // sem_t is used through a stable address only, and sem_post/sem_wait are thread-safe.
    private let semaphore: UnsafeMutablePointer<sem_t>

    init() {
        semaphore = .allocate(capacity: 1)
        sem_init(semaphore, 0, 0)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    func signal() { sem_post(semaphore) }

    func wait() {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
    }
}
