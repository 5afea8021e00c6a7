/// Which uploads of an invocation may go out side by side, and which must wait for the one before.
enum DeliveryPlan {
    /// One SQS message (or the whole event, on the other routes) and the uploads it holds.
    struct Unit: Equatable {
        /// FIFO queues only: the message group.
        var orderingGroup: String?
        /// Its body is not an S3 notification: it fails, and nothing after it in its group may go.
        var malformed: Bool
        /// Indexes of its uploads, in record order.
        var uploads: [Int]
    }

    /// Every upload is a chain of its own, except on FIFO queues: one chain per message group, in
    /// batch order, ending before the group's first malformed message. A chain runs in order and
    /// stops at its first upload not delivered, so no message overtakes one that failed.
    static func chains(_ units: [Unit]) -> [[Int]] {
        var chains: [[Int]] = []
        var groupChain: [String: Int] = [:]
        var stoppedGroups: Set<String> = []
        for unit in units {
            guard let group = unit.orderingGroup else {
                chains.append(contentsOf: unit.uploads.map { [$0] })
                continue
            }
            guard !stoppedGroups.contains(group) else { continue }
            if unit.malformed {
                stoppedGroups.insert(group)
                continue
            }
            if let index = groupChain[group] {
                chains[index].append(contentsOf: unit.uploads)
            } else if !unit.uploads.isEmpty {
                groupChain[group] = chains.count
                chains.append(unit.uploads)
            }
        }
        return chains
    }
}
