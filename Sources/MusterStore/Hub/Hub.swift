import Foundation
import Crypto
public import MusterCore
import Synchronization

/// A hub on disk: its data directory, log store, subject key store and group committer.
public final class Hub: Sendable {
    /// The data directory.
    public let directory: DataDirectory
    /// The hub's origin.
    public let origin: String
    /// The log store.
    public let store: SQLiteLogStore
    /// Subjects' keys.
    public let keys: FileSubjectKeyStore
    /// The movement's blind index (duplicate detection without e-mails in the log).
    public let blindIndex: BlindIndex
    /// The log's verifier key.
    public let verifier: NoteVerifier
    /// Whether this process holds the writer lock.
    public var isWritable: Bool { lock != nil }
    /// The read models.
    public let projections: ProjectionEngine
    /// Bumped whenever the hub's heads may have changed (wakes sync long polls).
    public let changes = ChangeSignal()
    let rosterCache: Mutex<Roster?>
    private let committer: GroupCommitter
    /// The rebuild that follows the pulls now running, if any.
    private let following = Mutex<FollowingRebuild?>(nil)
    private let lock: WriterLock?
    private let scheduler: ProjectionScheduler
    /// What follows every commit of entries (the committer's batches, bulk chunks, sync batches):
    /// the read models' catch-up is scheduled and long polls wake.
    let committed: @Sendable () -> Void

    /// Opens the hub in `directory`. A writable hub holds the writer lock for its lifetime.
    /// - Parameter projectionSizes: the read models' batch and buffer sizes (tests make them small).
    public init(directory: DataDirectory, writable: Bool = true, projectionSizes: ProjectionEngine.Sizes = .init()) throws {
        self.directory = directory
        origin = try directory.origin()
        lock = writable ? try WriterLock(path: directory.lockPath) : nil
        let signer = try directory.logSigner()
        verifier = signer.verifier
        store = try SQLiteLogStore(path: directory.databasePath, origin: origin, signer: signer)
        keys = try FileSubjectKeyStore(path: directory.subjectKeysPath, kek: directory.keystoreKey())
        blindIndex = BlindIndex(key: SymmetricKey(data: try directory.blindIndexKey()))
        let keys = self.keys
        projections = try ProjectionEngine(store: store, writable: writable, sizes: projectionSizes)
        let scheduler = ProjectionScheduler(engine: projections), changes = self.changes
        self.scheduler = scheduler
        committed = { scheduler.schedule(); changes.bump() }
        let origin = self.origin
        let committed = self.committed
        committer = GroupCommitter(
            store: store, prepare: { drafts in try await Self.prepareEach(drafts, origin: origin, keys: keys) },
            beforeCommit: { try keys.flushPending() },
            afterCommit: { drafts, outcomes in
                defer { committed() }
                return zip(drafts, outcomes).map { draft, outcome -> (any Error)? in
                    do { try Self.carryOut(draft.type, draft.subject, outcome, keys: keys) } catch { return error }
                    return nil
                }
            })
        rosterCache = Mutex(try directory.roster())
    }

    /// Brings the read models up to date now (after the background catch-up, if one runs).
    /// Throws what the catch-up met, e.g. a projection that could not be rebuilt.
    public func settleProjections() throws {
        try projections.catchUp()
    }

    /// Starts a catch-up of the read models in the background (see ``ProjectionScheduler``).
    public func scheduleProjections() { scheduler.schedule() }

    /// Starts rebuilding the read models on a thread of its own, staging entries as they are
    /// committed until ``FollowingRebuild/finish()``: for a pull of more entries than the log
    /// holds, whose catch-up would rebuild anyway (``ProjectionEngine/wouldRebuild(afterMore:)``).
    /// While one still follows the log, a pull joins it instead.
    public func followingRebuild() -> FollowingRebuild {
        following.withLock { current in
            if let current, current.join() { return current }
            let fresh = FollowingRebuild(projections)
            current = fresh
            return fresh
        }
    }

    /// Creates a new hub and opens it.
    public static func create(directory: DataDirectory, origin: String) throws -> Hub {
        _ = try directory.create(origin: origin)
        return try Hub(directory: directory)
    }

    /// Checks, seals and records one event; returns once it is durable and signed.
    /// - Parameter expectedSize: record only if the log then holds exactly this many entries.
    public func record(_ draft: EntryDraft, expectedSize: UInt64? = nil) async throws -> AppendOutcome {
        try checkAuthor(draft.author)
        // The committer checks and seals it with the rest of its batch; once the batch is durable,
        // it destroys the keys the batch erased, schedules the read models' catch-up and wakes
        // the long polls.
        return try await committer.append(draft, expectedSize: expectedSize)
    }

    /// Records many events in large batches (imports, benchmarks): checks and seals them, then
    /// appends each chunk in one transaction. Returns one outcome per draft.
    public func recordBulk(_ drafts: [EntryDraft], chunk: Int = 2048) async throws -> [AppendOutcome] {
        let size = max(1, chunk)
        let starts = Mutex(stride(from: 0, to: drafts.count, by: size).makeIterator())
        var outcomes: [AppendOutcome] = []
        outcomes.reserveCapacity(drafts.count)
        try await recordBulk(pulling: {
            starts.withLock { $0.next() }.map { Array(drafts[$0..<min(drafts.count, $0 + size)]) }
        }, each: { outcomes += $0 })
        return outcomes
    }

    /// Records events pulled chunk by chunk from `next` until it returns nil, so an import of any
    /// size holds only a few chunks: chunk k+1 is pulled, checked and sealed (on every core) while
    /// chunk k is appended and synced in one transaction with one signed checkpoint. `each` hears
    /// each chunk's outcomes, in order, once the chunk is durable.
    ///
    /// A chunk that fails its checks stops the import there: the chunks before it are recorded,
    /// no part of it is, and the error is thrown.
    ///
    /// Long polls wake after every chunk; the read models catch up once, when the import ends
    /// (however it ends), as after a sync pull. Caught up chunk by chunk, a large import would
    /// scatter its random keys (subjects' ids) over the read models' B-trees at every chunk and
    /// take the log's writer from the import each time; one catch-up at the end applies it
    /// once, as a rebuild in key order when it is large.
    public func recordBulk(pulling next: @escaping @Sendable () async throws -> [EntryDraft]?,
                           each: ([AppendOutcome]) throws -> Void) async throws {
        var appended = false
        defer { if appended { scheduleProjections() } }
        func pullAndPrepare() -> Task<[PreparedEntry]?, any Error> {
            Task {
                while let drafts = try await next() {
                    if !drafts.isEmpty { return try await prepareInParallel(drafts) }
                }
                return nil
            }
        }
        var pending = pullAndPrepare()
        while let prepared = try await pending.value {
            // A chunk that erases subjects is durable, and their keys destroyed, before the next
            // chunk is sealed.
            let barrier = prepared.indices.contains { prepared[$0].type == Self.erasure }
            if !barrier { pending = pullAndPrepare() }
            do {
                try keys.flushPending()
                let result = try await store.append(prepared.map { AppendRequest($0) })
                appended = true
                for (entry, outcome) in zip(prepared, result) { try Self.carryOut(entry.type, entry.subject, outcome, keys: keys) }
                changes.bump()
                try each(result)
                if barrier { pending = pullAndPrepare() }
            } catch {
                pending.cancel()
                throw error
            }
        }
    }

    /// Checks and seals drafts (a group commit's batch, an import's chunk): every subject's key
    /// read with one query, then the drafts on every core. One draft's error is its own result.
    static func prepareEach(_ drafts: [EntryDraft], origin: String, keys: FileSubjectKeyStore) async throws -> [Result<PreparedEntry, any Error>] {
        let prepare = { @Sendable (draft: EntryDraft) in Result { try PreparedEntry(draft, origin: origin, keys: keys) } }
        guard drafts.count > 1 else {
            // A new subject's key is written while the log's transaction is built.
            defer { keys.startFlush() }
            return drafts.map(prepare)
        }
        let subjects = drafts.compactMap { $0.personal == nil ? nil : $0.subject }
        // Should the one query fail, each draft's own lookup asks again, and fails on its own.
        try? keys.prefetch(subjects)
        // New subjects' keys are made first and written while the batch is sealed: the commit
        // waits for them (no entry is durable before its key), and that write, a transaction and
        // an fsync of the key store's own, had started only once the batch was sealed.
        keys.makeKeys(for: subjects)
        keys.startFlush()
        return refuseAfterErasure(drafts, try await Parallel.map(drafts) { _, draft in prepare(draft) })
    }

    /// A batch is sealed all at once, before any of its erasures destroys a key: a later draft in
    /// it with personal fields for a subject it erases fails, as it would in a batch of its own.
    static func refuseAfterErasure(_ drafts: [EntryDraft], _ results: [Result<PreparedEntry, any Error>]) -> [Result<PreparedEntry, any Error>] {
        guard let first = drafts.indices.first(where: { drafts[$0].type == Self.erasure }) else { return results }
        var erased = Set<SubjectID>(), out = results
        for i in first..<drafts.count {
            guard case .success = results[i], let subject = drafts[i].subject else { continue }
            if drafts[i].type == Self.erasure {
                erased.insert(subject)
            } else if drafts[i].personal != nil, erased.contains(subject) {
                out[i] = .failure(CoreError.erased(subject))
            }
        }
        return out
    }

    /// An import's chunk, prepared; its first bad draft (in order) fails the chunk.
    private func prepareInParallel(_ drafts: [EntryDraft]) async throws -> [PreparedEntry] {
        var authors = Set<String>()
        for draft in drafts {
            if let author = draft.author, authors.insert(author.verifier.vkey).inserted { try checkAuthor(author) }
        }
        return try await Self.prepareEach(drafts, origin: origin, keys: keys).map { try $0.get() }
    }

    /// An author key must be an officer's on the roster, when the hub has one: an entry signed by
    /// any other key would be a finding of every audit, for ever.
    func checkAuthor(_ author: NoteSigner?) throws {
        guard let author, let roster else { return }
        guard AuthorTrust(roster: roster).isOfficer(author.verifier) == true else {
            throw StoreError(.invalidRequest, "author key \(author.name)+\(author.verifier.keyIDHex) is not an officer on this hub's roster; add it with `muster roster add --role officer`, then sign and install the roster")
        }
    }

    /// The erasure's event type, read once (every appended entry is compared with it).
    private static let erasure = SubjectErased.schema.type

    /// What a durable entry requires of the key store: erasure is key destruction, so once a
    /// `subject.erased` entry is durable, its subject's key is destroyed.
    private static func carryOut(_ type: String, _ subject: SubjectID?, _ outcome: AppendOutcome, keys: FileSubjectKeyStore) throws {
        if type == erasure, case .appended = outcome, let subject { try keys.destroy(subject) }
    }
}
