import Foundation
import GRDB
import Synchronization
public import MusterCore

/// What became of a batch of another origin's entries.
public enum ForeignAppendOutcome: Sendable, Hashable {
    /// Verified and durable: the store now holds `size` entries of the origin.
    case appended(size: UInt64)
    /// The batch does not start where the store's log of the origin ends (it holds `held`).
    case stale(held: UInt64)
    /// The recomputed tree is not proven a prefix of the batch's checkpoint.
    case didNotVerify(String)
}

/// A peer's last known state for one origin, as `muster peers` shows it.
public struct PeerStatus: Sendable, Hashable {
    /// The peer (its roster name or URL).
    public let peer: String
    /// The origin ("" for the peer as a whole).
    public let origin: String
    /// The size the peer advertised.
    public let theirSize: UInt64?
    /// The last error, if the last attempt failed.
    public let lastError: String?
    /// When a pull from this peer last succeeded (Unix ms).
    public let lastOK: Int64?
    /// When this row last changed (Unix ms).
    public let updated: Int64
}

/// Evidence held, with where it came from.
public struct StoredEvidence: Sendable, Hashable {
    /// The evidence.
    public let evidence: EquivocationEvidence
    /// Who found it: "local" or the peer it came from.
    public let source: String
    /// When it was stored (Unix ms).
    public let foundAt: Int64
}

extension SQLiteLogStore {
    /// Appends a verified batch of another origin's log, in one durable transaction.
    ///
    /// Inside the writer's lock the store appends the batch's leaf hashes to the origin's tree and
    /// checks the result against `target` with `proof` (``BatchCheck``); only then are the
    /// entries, tiles and — when the batch reaches it — the checkpoint written. The caller has
    /// checked the entries (canonical, schema-valid) and the checkpoint's signature.
    public func appendForeign(origin: String, start: UInt64, entries: [SyncedEntry], target: SignedCheckpoint,
                              proof: [MerkleHash]) async throws -> ForeignAppendOutcome {
        guard origin != localOrigin else {
            throw StoreError(.invalidRequest, "\(origin) is this hub's own log; only this hub writes it")
        }
        guard target.checkpoint.origin == origin else {
            throw StoreError(.invalidRequest, "a checkpoint of \(target.checkpoint.origin) cannot cover entries of \(origin)")
        }
        for (i, entry) in entries.enumerated() {
            let want = start + UInt64(i) + 1
            guard entry.origin == origin, entry.seq == want else {
                return .didNotVerify("entry \(i) of the batch is \(entry.origin) seq \(entry.seq), not \(origin) seq \(want)")
            }
        }
        return try await pool.writeWithoutTransaction { db in
            try self.writer.withLock { state in
                guard !state.frozen.contains(origin) else {
                    throw StoreError(.frozen, "\(origin) is frozen on evidence that it forked its history")
                }
                var o: OriginState
                if let loaded = state.origins[origin] {
                    o = loaded
                } else {
                    try db.execute(sql: "INSERT OR IGNORE INTO origin(name, is_local) VALUES (?, 0)", arguments: [origin])
                    guard let loaded = try Self.loadOrigin(db, name: origin) else { throw StoreError(.corrupt, "origin row for \(origin) vanished") }
                    o = loaded
                    state.origins[origin] = o
                }
                guard o.appender.size == start else { return .stale(held: o.appender.size) }
                for entry in entries {
                    let leaf = entry.leafHash
                    o.tiles.append(leaf, to: &o.appender)
                }
                // `o` is a copy: until the commit succeeds, the writer's state is untouched.
                if let failure = BatchCheck.failure(size: o.appender.size, root: o.appender.rootHash, target: target.checkpoint, proof: proof) {
                    return .didNotVerify(failure)
                }
                try db.inTransaction(.immediate) {
                    let insert = try Self.entryInsert(db)
                    for entry in entries {
                        do {
                            try Self.insertEntry(insert, originID: o.id, seq: entry.seq, id: entry.id, bytes: entry.bytes)
                        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                            throw StoreError(.conflict, "\(origin) seq \(entry.seq) reuses event id \(entry.id), which this hub already holds")
                        }
                    }
                    try Self.writeTiles(db, originID: o.id, tiles: &o.tiles)
                    try db.execute(sql: "UPDATE origin SET size = ? WHERE id = ?", arguments: [Int64(o.appender.size), o.id])
                    if o.appender.size == target.checkpoint.size {
                        try Self.insertCheckpoint(db, originID: o.id, target)
                    }
                    return .commit
                }
                state.origins[origin] = o
                return .appended(size: o.appender.size)
            }
        }
    }

    static func insertCheckpoint(_ db: Database, originID: Int64, _ signed: SignedCheckpoint) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO checkpoint(origin_id, size, root, note, stored_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [originID, Int64(signed.checkpoint.size), Data(signed.checkpoint.rootHash), signed.formatted,
                                   Timestamp.now().unixMillis])
    }

    /// Compares a signed checkpoint no larger than what the store holds with the local tree.
    /// A match is stored (when new); a mismatch comes with evidence when a stored checkpoint
    /// covers the checkpoint's size.
    public func compareCheckpoint(_ signed: SignedCheckpoint) throws -> OriginPull.LocalComparison {
        let origin = signed.checkpoint.origin, size = signed.checkpoint.size
        return try pool.write { db in
            let (id, held) = try Self.originRow(db, origin)
            guard size <= held else { throw StoreError(.invalidRequest, "\(origin) holds \(held) entries, fewer than \(size)") }
            let reader = TileHashReader(db: db, originID: id)
            let root = size == 0 ? MerkleHash.emptyTreeRoot : try reader.root(treeSize: size)
            if root.bytes == signed.checkpoint.rootHash {
                if size > 0 { try Self.insertCheckpoint(db, originID: id, signed) }
                return .matches
            }
            guard let row = try Row.fetchOne(db, sql: "SELECT size, note FROM checkpoint WHERE origin_id = ? AND size >= ? ORDER BY size LIMIT 1",
                                             arguments: [id, Int64(size)]) else {
                return .differs(nil)
            }
            let ours = UInt64(row["size"] as Int64)
            let proof = ours == size ? [] : try reader.consistencyProof(from: size, to: ours).hashes
            return .differs(EquivocationEvidence(origin: origin, a: signed.formatted, b: row["note"], rootAtA: root, proof: proof))
        }
    }

    /// Freezes `origin` on `evidence` (which the caller verified) and keeps the evidence.
    public func freeze(_ evidence: EquivocationEvidence, source: String) throws {
        let json = String(decoding: try CanonicalJSON.encode(evidence.json), as: UTF8.self)
        try pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO evidence(id, origin, json, source, found_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [evidence.id, evidence.origin, json, source, Timestamp.now().unixMillis])
            try db.execute(sql: "INSERT OR IGNORE INTO origin(name, is_local) VALUES (?, 0)", arguments: [evidence.origin])
            try db.execute(sql: "UPDATE origin SET frozen_reason = ? WHERE name = ? AND frozen_reason IS NULL",
                           arguments: ["equivocation: evidence \(evidence.id.prefix(16))", evidence.origin])
        }
        writer.withLock { _ = $0.frozen.insert(evidence.origin) }
    }

    /// Every piece of evidence held.
    public func evidence() throws -> [StoredEvidence] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT json, source, found_at FROM evidence ORDER BY found_at, id").map { row in
                let value = try CanonicalJSON.parse(Array((row["json"] as String).utf8))
                return StoredEvidence(evidence: try EquivocationEvidence(json: value), source: row["source"], foundAt: row["found_at"])
            }
        }
    }

    /// Frozen origins and why.
    public func frozenOrigins() throws -> [String: String] {
        try pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT name, frozen_reason FROM origin WHERE frozen_reason IS NOT NULL")
                .map { ($0["name"] as String, $0["frozen_reason"] as String) })
        }
    }

    /// Per origin, the latest checkpoint held (what a hub advertises to its peers).
    public func heads() throws -> [SyncWire.Head] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.name, (SELECT c.note FROM checkpoint c WHERE c.origin_id = o.id ORDER BY c.size DESC LIMIT 1) AS note
                FROM origin o ORDER BY o.name
                """).compactMap { row in
                (row["note"] as String?).map { SyncWire.Head(origin: row["name"], checkpoint: $0) }
            }
        }
    }

    /// The checkpoint of `origin` at exactly `size`, if held.
    public func checkpoint(origin: String, size: UInt64) throws -> StoredCheckpoint? {
        try pool.read { db in try Self.checkpointRows(db, origin: origin, sql: "AND c.size = \(Int64(clamping: size))").first }
    }

    /// Entries with leaf indexes `start..<end` of `origin`, each followed by a newline, and their count.
    public func rawEntryLines(origin: String, start: UInt64, end: UInt64) throws -> (count: Int, bytes: [UInt8]) {
        try pool.read { db in
            let (id, _) = try Self.originRow(db, origin)
            var out: [UInt8] = [], count = 0
            out.reserveCapacity(Int(end - start) * 512)
            let cursor = try Row.fetchCursor(db, sql: "SELECT bytes FROM entry WHERE origin_id = ? AND seq > ? AND seq <= ? ORDER BY seq",
                                             arguments: [id, Int64(start), Int64(end)])
            while let row = try cursor.next() {
                try row.withUnsafeData(atIndex: 0) { data in if let data { out.append(contentsOf: data) } }
                out.append(0x0A)
                count += 1
            }
            return (count, out)
        }
    }

    /// Records the outcome of talking to a peer about an origin ("" for the peer as a whole).
    public func recordPeerStatus(peer: String, origin: String, theirSize: UInt64?, error: String?) throws {
        let now = Timestamp.now().unixMillis
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO peer_status(peer, origin, their_size, last_error, last_ok_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(peer, origin) DO UPDATE SET
                  their_size = COALESCE(excluded.their_size, their_size), last_error = excluded.last_error,
                  last_ok_at = COALESCE(excluded.last_ok_at, last_ok_at), updated_at = excluded.updated_at
                """, arguments: [peer, origin, theirSize.map { Int64($0) }, error, error == nil ? now : nil, now])
        }
    }

    /// What the store knows of its peers.
    public func peerStatuses() throws -> [PeerStatus] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM peer_status ORDER BY peer, origin").map { row in
                PeerStatus(peer: row["peer"], origin: row["origin"], theirSize: (row["their_size"] as Int64?).map { UInt64($0) },
                           lastError: row["last_error"], lastOK: row["last_ok_at"], updated: row["updated_at"])
            }
        }
    }
}
