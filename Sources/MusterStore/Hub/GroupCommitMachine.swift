/// The group-commit protocol as a pure state machine: appends queue while a batch is being made
/// durable; when it completes, the append at the head of the queue leads the next batch. The
/// leader takes its batch when it starts (``takeBatch()``), not when it is named, so appends that
/// queue while the leader waits for its turn to run join its batch. It does no I/O;
/// ``GroupCommitter`` acts on what it returns.
struct GroupCommitMachine<Waiter> {
    /// What the driver must do next.
    enum Action {
        /// Nothing: a batch is already in flight or being led, or the queue is empty.
        case none
        /// Wake this append, the head of the queue, to lead the next batch: it calls
        /// ``takeBatch()`` when it runs, makes that batch durable, then calls ``flushCompleted()``.
        case lead(Waiter)
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

    /// A new append arrives; on an idle log it leads the next batch itself.
    mutating func enqueue(_ waiter: Waiter) -> Action {
        queue.append(waiter)
        guard !isFlushing else { return .none }
        isFlushing = true
        return .lead(waiter)
    }

    /// The batch in flight is durable (or failed): name the leader of the next one, if any.
    mutating func flushCompleted() -> Action {
        precondition(isFlushing, "flushCompleted without a batch in flight")
        guard queued > 0 else {
            isFlushing = false
            return .none
        }
        return .lead(queue[head])
    }

    /// The batch the leader makes durable: everything queued, its leader first, at most
    /// ``maximumBatch``.
    mutating func takeBatch() -> [Waiter] {
        precondition(isFlushing && queued > 0, "takeBatch without a leader")
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
