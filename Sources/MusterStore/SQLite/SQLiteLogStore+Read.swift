import Foundation
import GRDB
public import MusterCore

extension SQLiteLogStore {
    public func entries(origin: String, fromSeq: UInt64, limit: Int) throws -> [StoredEntry] {
        try pool.read { db in
            try Self.decodeRows(Row.fetchCursor(db, sql: """
                SELECT e.arrival, e.bytes FROM entry e JOIN origin o ON o.id = e.origin_id
                WHERE o.name = ? AND e.seq >= ? ORDER BY e.seq LIMIT ?
                """, arguments: [origin, Int64(clamping: fromSeq), limit]))
        }
    }

    public func entries(afterArrival arrival: Int64, limit: Int) throws -> [StoredEntry] {
        try pool.read { db in
            try Self.decodeRows(Row.fetchCursor(db, sql: "SELECT arrival, bytes FROM entry WHERE arrival > ? ORDER BY arrival LIMIT ?",
                                                arguments: [arrival, limit]))
        }
    }

    public func entry(id: EventID) throws -> StoredEntry? {
        try pool.read { db in
            try Self.decodeRows(Row.fetchCursor(db, sql: "SELECT arrival, bytes FROM entry WHERE event_id = ?",
                                                arguments: [Self.eventIDBlob(id)])).first
        }
    }

    /// Calls `body` with every raw entry of `origin` in seq order (no decoding), for verification.
    public func forEachRawEntry(origin: String, _ body: (UInt64, [UInt8]) throws -> Void) throws {
        try pool.read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT e.seq, e.bytes FROM entry e JOIN origin o ON o.id = e.origin_id WHERE o.name = ? ORDER BY e.seq
                """, arguments: [origin])
            while let row = try cursor.next() {
                let seq: Int64 = row[0]
                let bytes: [UInt8] = try row.withUnsafeData(atIndex: 1) { data in data.map(Array.init) ?? [] }
                try body(UInt64(seq), bytes)
            }
        }
    }

    public func latestCheckpoint(origin: String) throws -> StoredCheckpoint? {
        try pool.read { db in
            try Self.checkpointRows(db, origin: origin, sql: "ORDER BY c.size DESC LIMIT 1").first
        }
    }

    public func checkpoints(origin: String) throws -> [StoredCheckpoint] {
        try pool.read { db in try Self.checkpointRows(db, origin: origin, sql: "ORDER BY c.size") }
    }

    public func inclusionProof(origin: String, seq: UInt64, treeSize: UInt64) throws -> InclusionProof {
        try pool.read { db in
            let (id, size) = try Self.originRow(db, origin)
            guard seq >= 1, seq <= treeSize, treeSize <= size else {
                throw StoreError(.notFound, "no inclusion proof for seq \(seq) in a tree of \(treeSize) (\(origin) holds \(size))")
            }
            return try TileHashReader(db: db, originID: id).inclusionProof(leafIndex: seq - 1, treeSize: treeSize)
        }
    }

    public func consistencyProof(origin: String, from: UInt64, to: UInt64) throws -> ConsistencyProof {
        try pool.read { db in
            let (id, size) = try Self.originRow(db, origin)
            guard from >= 1, from <= to, to <= size else {
                throw StoreError(.notFound, "no consistency proof from \(from) to \(to) (\(origin) holds \(size))")
            }
            return try TileHashReader(db: db, originID: id).consistencyProof(from: from, to: to)
        }
    }

    /// The root of `origin`'s tree at `size`, from the stored tiles.
    public func rootHash(origin: String, size: UInt64) throws -> MerkleHash {
        try pool.read { db in
            let (id, held) = try Self.originRow(db, origin)
            guard size <= held else { throw StoreError(.notFound, "\(origin) holds \(held) entries, not \(size)") }
            return try TileHashReader(db: db, originID: id).root(treeSize: size)
        }
    }

    public func origins() throws -> [OriginStatus] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.name, o.is_local, o.size, (SELECT MAX(size) FROM checkpoint c WHERE c.origin_id = o.id) AS cp
                FROM origin o ORDER BY o.name
                """).map { row in
                OriginStatus(origin: row["name"], isLocal: row["is_local"], size: UInt64(row["size"] as Int64),
                             latestCheckpointSize: (row["cp"] as Int64?).map(UInt64.init))
            }
        }
    }

    static func originRow(_ db: Database, _ origin: String) throws -> (Int64, UInt64) {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, size FROM origin WHERE name = ?", arguments: [origin]) else {
            throw StoreError(.notFound, "this hub holds no log for origin '\(origin)'")
        }
        return (row["id"], UInt64(row["size"] as Int64))
    }

    static func checkpointRows(_ db: Database, origin: String, sql: String) throws -> [StoredCheckpoint] {
        try Row.fetchAll(db, sql: """
            SELECT c.size, c.root, c.note FROM checkpoint c JOIN origin o ON o.id = c.origin_id WHERE o.name = ? \(sql)
            """, arguments: [origin]).map { row in
            StoredCheckpoint(origin: origin, size: UInt64(row["size"] as Int64),
                             rootHash: try MerkleHash(bytes: row["root"] as Data), note: row["note"])
        }
    }

    static func decodeRows(_ cursor: RowCursor) throws -> [StoredEntry] {
        var out: [StoredEntry] = []
        while let row = try cursor.next() {
            let bytes: [UInt8] = try row.withUnsafeData(atIndex: 1) { data in data.map(Array.init) ?? [] }
            out.append(StoredEntry(arrival: row[0], entry: try Entry.decode(bytes)))
        }
        return out
    }
}
