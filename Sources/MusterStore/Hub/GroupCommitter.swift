public import MusterCore
import Synchronization

/// Group commit for one log: concurrent appends share one transaction, one fsync and one
/// checkpoint signature. Each call returns only after its batch is durable.
///
/// Callers hand over drafts, and the leader prepares its whole batch (checks and seals it) before
/// appending it: the batch's subject keys are read with one query (`prepare`, from the hub), not
/// one each. Each caller had prepared its own entry, and a new member's key lookup, one read
/// transaction per entry, was a quarter of the CPU time of 64 concurrent writers. A draft that
/// fails its checks fails its own caller only.
///
/// The caller whose append starts a batch leads it (does the I/O); when it completes, leadership
/// passes to the first caller of the next batch, so no task works for others indefinitely and no
/// background task is needed. A leader takes its batch when it starts, after letting the tasks
/// ready to run go first: callers just resumed by a commit mostly append again at once, and
/// join the batch rather than waiting out the next commit. With 64 writers on two cores,
/// batches had alternated between one entry and sixty-three.
///
/// The queue is a ``GroupCommitMachine`` under a lock, not an actor's state: a caller enqueues and
/// suspends, and resumes where it was, without two hops through an actor's serial executor (as an
/// actor, every append entered it twice, one after another, on the way in and out: 64 writers,
/// 100 k events, two interleaved pairs: 14.2–15.1 k → 15.2–15.9 k events/s).
public final class GroupCommitter: Sendable {
    /// What runs after a batch commits, with the drafts appended and their outcomes; it returns
    /// an error for each entry whose caller must hear one (nil for the rest).
    public typealias AfterCommit = @Sendable (_ drafts: [EntryDraft], _ outcomes: [AppendOutcome]) -> [(any Error)?]

    private let store: any LogStore
    private let prepare: @Sendable ([EntryDraft]) async throws -> [Result<PreparedEntry, any Error>]
    private let beforeCommit: @Sendable () throws -> Void
    private let afterCommit: AfterCommit
    private let state: Mutex<State>

    private struct State {
        var machine: GroupCommitMachine<Waiter>
        var nextTicket = 0
    }

    struct Waiter {
        let ticket: Int
        let draft: EntryDraft
        let expectedSize: UInt64?
        let continuation: CheckedContinuation<Wake, any Error>
    }

    enum Wake {
        case done(AppendOutcome)
        case lead
    }

    /// A committer over `store`. `prepare` checks and seals a batch's drafts, one result each.
    /// `beforeCommit` runs in each batch's transaction, before its commit (the hub makes the
    /// batch's new subject keys durable there, so no entry is durable before its key);
    /// `afterCommit` runs once after each batch that committed, before its callers resume and
    /// before the next batch is prepared (the hub destroys the keys of the subjects the batch
    /// erased, so no later batch seals for them, and schedules its read models' catch-up: once
    /// per commit, not once per caller).
    public init(store: any LogStore, maximumBatch: Int = 4096,
                prepare: @escaping @Sendable ([EntryDraft]) async throws -> [Result<PreparedEntry, any Error>],
                beforeCommit: @escaping @Sendable () throws -> Void = {},
                afterCommit: @escaping AfterCommit = { drafts, _ in drafts.map { _ in nil } }) {
        self.store = store
        self.prepare = prepare
        self.beforeCommit = beforeCommit
        self.afterCommit = afterCommit
        state = Mutex(State(machine: GroupCommitMachine(maximumBatch: maximumBatch)))
    }

    /// Prepares and appends one draft; returns once it is durable and covered by a signed
    /// checkpoint. Throws what preparing it met (a schema violation, an erased subject, …).
    /// - Parameter expectedSize: append only if the log then holds exactly this many entries.
    public func append(_ draft: EntryDraft, expectedSize: UInt64? = nil) async throws -> AppendOutcome {
        var ticket = 0
        var wake = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Wake, any Error>) in
            let action = state.withLock { state in
                ticket = state.nextTicket
                state.nextTicket += 1
                return state.machine.enqueue(Waiter(ticket: ticket, draft: draft, expectedSize: expectedSize, continuation: continuation))
            }
            if case .lead = action { continuation.resume(returning: .lead) }
        }
        while case .lead = wake {
            await Task.yield()
            let batch = state.withLock { $0.machine.takeBatch() }
            wake = .done(try await lead(batch, leader: ticket))
        }
        guard case .done(let outcome) = wake else { preconditionFailure("unreachable") }
        return outcome
    }

    private func lead(_ batch: [Waiter], leader: Int) async throws -> AppendOutcome {
        // A failure of the preparation as a whole (not of one draft) fails the batch, as the store's would.
        let prepared: [Result<PreparedEntry, any Error>]
        do { prepared = try await prepare(batch.map(\.draft)) } catch { prepared = batch.map { _ in .failure(error) } }
        // Each waiter's place among the requests appended (nil: its draft failed).
        var requests: [AppendRequest] = [], drafts: [EntryDraft] = []
        let slots = zip(batch, prepared).map { waiter, p -> Int? in
            guard case .success(let entry) = p else { return nil }
            requests.append(AppendRequest(entry, expectedSize: waiter.expectedSize))
            drafts.append(waiter.draft)
            return requests.count - 1
        }
        let result: Result<[AppendOutcome], any Error>
        var afterwards: [(any Error)?] = []
        if requests.isEmpty {
            result = .success([])
        } else {
            do {
                // `beforeCommit` runs inside the log's transaction, just before its commit: the
                // hub's waits there for the batch's new subject keys, whose write `prepare`
                // started while the batch was sealed (a write of their own, on another thread,
                // had meant a hop to a thread and back on every commit).
                let outcomes = try await store.append(requests, beforeCommit: beforeCommit)
                afterwards = afterCommit(drafts, outcomes)
                result = .success(outcomes)
            } catch {
                result = .failure(error)
            }
        }
        var mine: Result<AppendOutcome, any Error> = .failure(StoreError(.corrupt, "leader missing from its batch"))
        for (i, waiter) in batch.enumerated() {
            let outcome: Result<AppendOutcome, any Error> = switch (prepared[i], slots[i]) {
            case (.failure(let error), _): .failure(error)
            case (_, let slot?): result.flatMap { outcomes in
                if slot < afterwards.count, let error = afterwards[slot] { return .failure(error) }
                return .success(outcomes[slot])
            }
            case (.success, nil): .failure(StoreError(.corrupt, "a prepared entry has no place in its batch"))
            }
            if waiter.ticket == leader { mine = outcome } else { waiter.continuation.resume(with: outcome.map(Wake.done)) }
        }
        if case .lead(let next) = state.withLock({ $0.machine.flushCompleted() }) {
            next.continuation.resume(returning: .lead)
        }
        return try mine.get()
    }
}

