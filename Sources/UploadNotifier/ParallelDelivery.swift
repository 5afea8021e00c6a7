import LambdaRuntime
import Logging
import Synchronization
import Threads

/// Delivers one invocation's chains (``DeliveryPlan``) on several lanes at once: the calling thread
/// with the handler's own lane, and one thread per extra lane. Plain blocking code: each thread takes
/// the next chain until none is left. A chain stops at its first upload not delivered; other chains
/// go on, so one failure never stops the rest.
enum ParallelDelivery {
    /// By upload index; nil: not attempted (a FIFO chain stopped before it).
    static func run(
        _ chains: [[Int]], uploads: [UploadNotification], own: UploadLane, extra: [UploadLane], context: LambdaContext
    ) -> [UploadResult?] {
        let work = SharedWork(chains: chains, uploads: uploads, context: context)
        var threads: [OSThread] = []
        for lane in extra {
            do {
                threads.append(try OSThread { work.drain(on: lane) })
            } catch {
                context.logger.warning("could not start a delivery thread; delivering on fewer", metadata: ["problem": "\(error)"])
                break
            }
        }
        work.drain(on: own)
        for thread in threads { thread.join() }
        return work.results.withLock { $0 }
    }

    /// The one chain-by-chain loop, for the sequential path as for each lane.
    static func deliver(_ chain: [Int], uploads: [UploadNotification], on lane: UploadLane, context: LambdaContext, record: (Int, UploadResult) -> Void) {
        for index in chain {
            let outcome = lane.send(uploads[index], context: context)
            record(index, outcome)
            if case .failed = outcome { return }
        }
    }

    /// What the lanes share: immutable inputs, the next chain to take, and the results.
    private final class SharedWork: Sendable {
        let chains: [[Int]]
        let uploads: [UploadNotification]
        let context: LambdaContext
        let next = Atomic<Int>(0)
        let results: Locked<[UploadResult?]>

        init(chains: [[Int]], uploads: [UploadNotification], context: LambdaContext) {
            self.chains = chains
            self.uploads = uploads
            self.context = context
            self.results = Locked([UploadResult?](repeating: nil, count: uploads.count))
        }

        func drain(on lane: UploadLane) {
            while true {
                let chain = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard chain < chains.count else { return }
                ParallelDelivery.deliver(chains[chain], uploads: uploads, on: lane, context: context) { index, outcome in
                    results.withLock { $0[index] = outcome }
                }
            }
        }
    }
}
