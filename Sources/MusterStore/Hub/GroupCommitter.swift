import Dispatch
import MusterCore
import Synchronization

/// Group commit for one log: concurrent appends share one transaction, one fsync and one
/// checkpoint signature. Each call returns only after its batch is durable.
///
/// The caller whose append starts a batch leads it (does the I/O); when it completes, leadership
/// passes to the first caller of the next batch, so no task works for others indefinitely and no
/// background task is needed. A leader takes its batch when it starts, after letting the tasks
/// ready to run go first: callers just resumed by a commit mostly append again at once, and
/// join the batch rather than waiting out the next commit. With 64 writers on two cores,
/// batches had alternated between one entry and sixty-three.
public actor GroupCommitter {
    private let store: any LogStore
    private let beforeCommit: @Sendable () throws -> Void
    private let afterCommit: @Sendable () -> Void
    private var machine: GroupCommitMachine<Waiter>
    private var nextTicket = 0

    struct Waiter {
        let ticket: Int
        let request: AppendRequest
        let continuation: CheckedContinuation<Wake, any Error>
    }

    enum Wake {
        case done(AppendOutcome)
        case lead
    }

    /// A committer over `store`. `beforeCommit` runs before each batch (the hub flushes new
    /// subject keys there, so no entry is durable before its key); `afterCommit` runs once after
    /// each batch that committed, before its callers resume (the hub schedules its read models'
    /// catch-up there: once per commit, not once per caller).
    public init(store: any LogStore, maximumBatch: Int = 4096, beforeCommit: @escaping @Sendable () throws -> Void = {},
                afterCommit: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.beforeCommit = beforeCommit
        self.afterCommit = afterCommit
        machine = GroupCommitMachine(maximumBatch: maximumBatch)
    }

    /// Appends one entry; returns once it is durable and covered by a signed checkpoint.
    public func append(_ request: AppendRequest) async throws -> AppendOutcome {
        let ticket = nextTicket
        nextTicket += 1
        var wake = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Wake, any Error>) in
            if case .lead = machine.enqueue(Waiter(ticket: ticket, request: request, continuation: continuation)) {
                continuation.resume(returning: .lead)
            }
        }
        while case .lead = wake {
            await Task.yield()
            wake = .done(try await lead(machine.takeBatch(), leader: ticket))
        }
        guard case .done(let outcome) = wake else { preconditionFailure("unreachable") }
        return outcome
    }

    private func lead(_ batch: [Waiter], leader: Int) async throws -> AppendOutcome {
        let result: Result<[AppendOutcome], any Error>
        do {
            // The batch's new subject keys are made durable on another thread while the log's
            // transaction is built; the transaction waits for them only at its commit.
            let keys = CommitGate()
            let flush = beforeCommit
            DispatchQueue.global().async { keys.finish(Result { try flush() }) }
            result = .success(try await store.append(batch.map(\.request), beforeCommit: { try keys.wait() }))
        } catch {
            result = .failure(error)
        }
        if case .success = result { afterCommit() }
        var mine: Result<AppendOutcome, any Error> = .failure(StoreError(.corrupt, "leader missing from its batch"))
        for (i, waiter) in batch.enumerated() {
            let outcome = result.map { $0[i] }
            if waiter.ticket == leader { mine = outcome } else { waiter.continuation.resume(with: outcome.map(Wake.done)) }
        }
        if case .lead(let next) = machine.flushCompleted() {
            next.continuation.resume(returning: .lead)
        }
        return try mine.get()
    }
}

/// A one-shot result that one thread produces and another waits for.
final class CommitGate: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let result = Mutex<Result<Void, any Error>?>(nil)

    func finish(_ outcome: Result<Void, any Error>) {
        result.withLock { $0 = outcome }
        done.signal()
    }

    /// Blocks until ``finish(_:)``; rethrows its error. Callable once.
    func wait() throws {
        done.wait()
        try result.withLock { $0 }!.get()
    }
}
