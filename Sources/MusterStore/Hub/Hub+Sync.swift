import Foundation
import Crypto
import Synchronization
public import MusterCore

extension Hub {
    /// The installed roster, if any.
    public var roster: Roster? { rosterCache.withLock { $0 } }

    /// Installs a signed roster (see ``DataDirectory/installRoster(note:root:)``); true when it changed.
    @discardableResult
    public func installRoster(note: String, root: NoteVerifier? = nil) throws -> Bool {
        guard let roster = try directory.installRoster(note: note, root: root) else { return false }
        rosterCache.withLock { $0 = roster }
        changes.bump()
        return true
    }

    /// The verifier key of a hub origin on the roster.
    public func rosterKey(origin: String) -> NoteVerifier? {
        guard let member = roster?.member(origin), member.role == .hub else { return nil }
        return member.verifier
    }

    /// A page of this hub's subject keys past `after`, encrypted to `requestKey` for the roster
    /// hub `requester` and signed with this hub's log key (``SubjectKeyExchange``).
    public func subjectKeyReply(after: Int64, limit: Int, requestKey: [UInt8], requester: String) throws -> (reply: [UInt8], keys: Int) {
        let page = try keys.page(after: after, limit: limit)
        return (try SubjectKeyExchange.seal(page, requestKey: requestKey, requester: requester, signer: store.signer), page.items.count)
    }

    /// What this hub advertises to its peers.
    public func syncHeads() throws -> SyncWire.Heads {
        let heads = try store.heads()
        let frozen = try store.frozenOrigins().keys.sorted()
        let version = roster?.version ?? 0
        var hasher = SHA256()
        for head in heads { hasher.update(data: Data(head.checkpoint.utf8)) }
        for origin in frozen { hasher.update(data: Data(origin.utf8)) }
        hasher.update(data: Data(String(version).utf8))
        let token = hasher.finalize().prefix(12).map { String(format: "%02x", $0) }.joined()
        return SyncWire.Heads(hub: origin, token: token, heads: heads, frozen: frozen, rosterVersion: version)
    }

    /// Checks a peer's batch of another origin's entries and appends it durably: every entry
    /// canonical, schema-valid and in place, checked on every core; then the store verifies the
    /// tree against `target` (whose signature the caller checked). Read models catch up after.
    public func acceptBatch(_ batch: SyncWire.Batch, target: SignedCheckpoint) async throws -> ForeignAppendOutcome {
        try await acceptBatch(Self.check(batch), target: target)
    }

    /// A peer's batch whose entries were each checked (canonical, schema-valid), not yet appended:
    /// a puller checks the next batch while this one is appended.
    public struct CheckedBatch: Sendable {
        public let batch: SyncWire.Batch
        let entries: [SyncedEntry]
    }

    /// Checks every entry of `batch` on every core; throws a verification error naming the first bad one.
    public static func check(_ batch: SyncWire.Batch) async throws -> CheckedBatch {
        CheckedBatch(batch: batch, entries: try await checkInParallel(batch))
    }

    /// Appends a checked batch durably, once the store has verified its tree against `target`.
    ///
    /// Long polls wake at once. The read models catch up after it unless `catchUp` is false: a
    /// puller with more batches of the same pull on their way passes false and schedules one
    /// catch-up when the pull ends, so a long pull's backlog is applied once (a large one rebuilt
    /// in key order) instead of re-folding at random after every batch.
    public func acceptBatch(_ checked: CheckedBatch, target: SignedCheckpoint, catchUp: Bool = true) async throws -> ForeignAppendOutcome {
        let batch = checked.batch, entries = checked.entries
        let outcome = try await store.appendForeign(origin: batch.origin, start: batch.start, entries: entries,
                                                    target: target, proof: batch.proof)
        if case .appended = outcome {
            // Erasure is key destruction on every hub, whichever hub recorded it.
            for entry in entries { if let subject = entry.erasedSubject { try keys.destroy(subject) } }
            if catchUp { committed() } else { changes.bump() }
        }
        return outcome
    }

    /// Compares a checkpoint within what this hub holds with its tree; stores it when it matches.
    public func compareCheckpoint(_ target: SignedCheckpoint) throws -> OriginPull.LocalComparison {
        let result = try store.compareCheckpoint(target)
        if result == .matches { changes.bump() }
        return result
    }

    /// Verifies evidence against the roster and freezes its origin. Returns false when the origin
    /// was already frozen.
    @discardableResult
    public func freeze(_ evidence: EquivocationEvidence, source: String) throws -> Bool {
        guard let key = rosterKey(origin: evidence.origin) ?? (evidence.origin == origin ? verifier : nil) else {
            throw SyncError(.evidence, "evidence concerns '\(evidence.origin)', which is not a hub on this roster")
        }
        try evidence.verify(with: key)
        let already = try store.frozenOrigins()[evidence.origin] != nil
        try store.freeze(evidence, source: source)
        changes.bump()
        return !already
    }

    static func checkInParallel(_ batch: SyncWire.Batch) async throws -> [SyncedEntry] {
        let origin = batch.origin, start = batch.start
        return try await Parallel.map(batch.entries, minimum: 256) { i, line in
            do { return try SyncedEntry(line) } catch {
                throw SyncError(.verification, "\(origin) seq \(start + UInt64(i) + 1) is not a valid entry: \(error)")
            }
        }
    }
}

/// An entry of a pulled batch, checked as ``Entry/decode(_:)`` checks it (canonical JSON, valid
/// against its type's schema) but not read into an ``Envelope``: appending it needs only its
/// bytes, its place, its id and, for `subject.erased`, the subject whose key goes. A pull's read
/// models catch up from the stored bytes (a long pull's are rebuilt, which reads them anyway).
public struct SyncedEntry: Sendable {
    public let bytes: [UInt8]
    public let origin: String
    public let seq: UInt64
    /// The event id's text.
    public let id: String
    /// The subject a `subject.erased` entry erases; nil for every other type.
    public let erasedSubject: SubjectID?

    /// Checks `bytes`; throws what ``Entry/decode(_:)`` throws.
    public init(_ bytes: [UInt8]) throws(CoreError) {
        let checked = try CheckedEntry(bytes)
        let erasure = checked.schema.type == SubjectErased.schema.type
        // The schema requires origin, seq and id, so the empty defaults are never read.
        let subject: String?
        (origin, seq, id, subject) = checked.read { e in
            (e.string("origin") ?? "", UInt64(clamping: e.integer("seq") ?? 0), e.string("id") ?? "",
             erasure ? e.string("subject") : nil)
        }
        erasedSubject = try subject.map { (s) throws(CoreError) in try SubjectID(s) }
        self.bytes = bytes
    }

    /// The Merkle leaf hash of the bytes.
    public var leafHash: MerkleHash { MerkleHash.leafHash(bytes) }
}
