/// The group-commit protocol as a pure state machine: appends queue while a batch is being made
/// durable; when it completes, everything that queued meanwhile becomes the next batch. It does
/// no I/O; ``GroupCommitter`` acts on what it returns.
struct GroupCommitMachine<Waiter> {
    /// What the driver must do next.
    enum Action {
        /// Nothing: a batch is already in flight, or the queue is empty.
        case none
        /// Make this batch durable, then call ``flushCompleted()``.
        case flush([Waiter])
    }

    private var queue: [Waiter] = []
    private var head = 0
    private(set) var isFlushing = false
    let maximumBatch: Int

    init(maximumBatch: Int) {
        precondition(maximumBatch > 0)
        self.maximumBatch = maximumBatch
    }

    /// Number of appends waiting for a batch.
    var queued: Int { queue.count - head }

    /// A new append arrives.
    mutating func enqueue(_ waiter: Waiter) -> Action {
        queue.append(waiter)
        guard !isFlushing else { return .none }
        isFlushing = true
        return .flush(takeBatch())
    }

    /// The batch in flight is durable (or failed): start the next one, if any.
    mutating func flushCompleted() -> Action {
        precondition(isFlushing, "flushCompleted without a batch in flight")
        guard queued > 0 else {
            isFlushing = false
            return .none
        }
        return .flush(takeBatch())
    }

    private mutating func takeBatch() -> [Waiter] {
        let end = min(queue.count, head + maximumBatch)
        let batch = Array(queue[head..<end])
        head = end
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
        }
        return batch
    }
}
