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
        let entries = try await Self.decodeInParallel(batch)
        let outcome = try await store.appendForeign(origin: batch.origin, start: batch.start, entries: entries,
                                                    target: target, proof: batch.proof)
        if case .appended = outcome {
            // Erasure is key destruction on every hub, whichever hub recorded it.
            for entry in entries where entry.envelope.type == SubjectErased.schema.type {
                if let subject = entry.envelope.subject { try keys.destroy(subject) }
            }
            committed()
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

    static func decodeInParallel(_ batch: SyncWire.Batch) async throws -> [Entry] {
        let origin = batch.origin, start = batch.start
        return try await Parallel.map(batch.entries, minimum: 256) { i, line in
            do { return try Entry.decode(line) } catch {
                throw SyncError(.verification, "\(origin) seq \(start + UInt64(i) + 1) is not a valid entry: \(error)")
            }
        }
    }
}
