import Foundation
import Synchronization
import GRDB
import MusterCore

extension SQLiteLogStore {
    public func append(_ batch: [AppendRequest], beforeCommit: @escaping @Sendable () throws -> Void) async throws -> [AppendOutcome] {
        try await pool.writeWithoutTransaction { db in
            try self.appendLocked(db, batch, now: Timestamp.now(), beforeCommit: beforeCommit)
        }
    }

    /// Appends synchronously (for tools and tests that are not async).
    public func appendNow(_ batch: [AppendRequest]) throws -> [AppendOutcome] {
        try pool.writeWithoutTransaction { db in try self.appendLocked(db, batch, now: Timestamp.now(), beforeCommit: {}) }
    }

    private func appendLocked(_ db: Database, _ batch: [AppendRequest], now: Timestamp,
                              beforeCommit: () throws -> Void) throws -> [AppendOutcome] {
        try writer.withLock { state in
            guard var origin = state.origins[localOrigin] else { throw StoreError(.corrupt, "local origin row is missing") }
            guard !state.frozen.contains(localOrigin) else {
                throw StoreError(.frozen, "this hub's own log \(localOrigin) is frozen: its key signed a forked history (see `muster peers`); rotate the key and re-roster the hub")
            }
            var clock = state.clock
            let startSize = origin.appender.size
            // Each request's seq and id, or nil when its expected size did not hold.
            var written: [(seq: UInt64, id: EventID)?] = []
            written.reserveCapacity(batch.count)
            var arrived: [(arrival: Int64, envelope: Envelope)] = []
            arrived.reserveCapacity(batch.count)
            try db.inTransaction(.immediate) {
                let insert = try Self.entryInsert(db)
                // By index: a request is read in place, not copied (a copy retains every part of
                // its prepared entry).
                for i in batch.indices {
                    let size = origin.appender.size
                    if let expected = batch[i].expectedSize, expected != size {
                        written.append(nil)
                        continue
                    }
                    let entry = try batch[i].prepared.assemble(seq: size + 1, recordedAt: now, hlc: clock.tick(now: now.unixMillis))
                    let leaf = entry.leafHash
                    origin.tiles.append(leaf, to: &origin.appender)
                    do {
                        try Self.insertEntry(insert, originID: origin.id, seq: size + 1, id: entry.envelope.id.text, bytes: entry.bytes)
                    } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                        throw StoreError(.invalidRequest, "event id \(entry.envelope.id) is already in the log")
                    }
                    arrived.append((db.lastInsertedRowID, entry.envelope))
                    written.append((size + 1, entry.envelope.id))
                }
                if origin.appender.size > startSize {
                    try Self.writeTiles(db, originID: origin.id, tiles: &origin.tiles)
                    try self.signCheckpoint(db, origin: origin, now: now)
                }
                try beforeCommit()
                return .commit
            }
            // Only after the commit succeeded does the in-memory state move on.
            state.origins[localOrigin] = origin
            state.clock = clock
            recent.add(arrived)
            // A conflict reports the size the log had when its turn came: the size after the
            // last entry written before it in this batch.
            var size = startSize
            return written.indices.map { i in
                guard let slot = written[i] else {
                    return .conflict(expectedSize: batch[i].expectedSize ?? size, actualSize: size)
                }
                size = slot.seq
                return .appended(seq: slot.seq, id: slot.id, checkpointSize: origin.appender.size)
            }
        }
    }

    private func signCheckpoint(_ db: Database, origin: OriginState, now: Timestamp) throws {
        let size = origin.appender.size, root = origin.appender.rootHash
        let checkpoint = try Checkpoint(origin: localOrigin, size: size, rootHash: root.bytes)
        let note = try SignedNote.sign(checkpoint.text, with: [signer]).formatted
        try db.cachedStatement(sql: "UPDATE origin SET size = ? WHERE id = ?").execute(arguments: [Int64(size), origin.id])
        try db.cachedStatement(sql: "INSERT INTO checkpoint(origin_id, size, root, note, stored_at) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [origin.id, Int64(size), Data(root.bytes), note, now.unixMillis])
    }
}
