import Logging
import Synchronization
import Threads

/// One handler's extra lanes: made when an invocation first has several uploads to deliver at once,
/// kept for the process's life so that later invocations reuse their kept-alive connections.
/// A single-upload invocation never touches it.
public final class LanePool: @unchecked Sendable {
    private let makeLane: @Sendable () throws -> UploadLane
    // Touched only under `lock` (a plain Lock, not Locked<[UploadLane]>, whose generic metadata
    // would be built at init, when each worker makes its handler).
    private let lock = Lock()
    private var idle: [UploadLane] = []
    /// Lanes made so far (for tests: a single upload makes none).
    let made = Atomic<Int>(0)

    public init(makeLane: @escaping @Sendable () throws -> UploadLane) {
        self.makeLane = makeLane
    }

    /// Up to `count` lanes: idle ones first, then new ones. Fewer when a connection cannot be made
    /// (logged): the invocation then delivers on the lanes it has, never none (it keeps its own).
    func checkOut(_ count: Int, logger: Logger) -> [UploadLane] {
        var lanes = lock.withLock {
            let taken = Array(idle.suffix(count))
            idle.removeLast(taken.count)
            return taken
        }
        while lanes.count < count {
            do {
                lanes.append(try makeLane())
                made.add(1, ordering: .relaxed)
            } catch {
                logger.warning("could not open another delivery lane; delivering on fewer", metadata: [
                    "lanes": "\(lanes.count + 1)", "problem": "\(error)",
                ])
                break
            }
        }
        return lanes
    }

    func checkIn(_ lanes: [UploadLane]) {
        lock.withLock { idle.append(contentsOf: lanes) }
    }
}
