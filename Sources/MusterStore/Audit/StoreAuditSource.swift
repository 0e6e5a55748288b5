import Foundation
import GRDB
public import MusterCore

/// A hub's own store as an audit source: every entry it holds, every checkpoint and tile it keeps.
/// The logs' sizes are taken once, when the source is made, and the audit reads up to them, so a
/// hub can be audited while it keeps recording.
public struct StoreAuditSource: AuditSource {
    public let store: SQLiteLogStore
    public let label: String
    private let snapshot: [AuditBundle.Manifest.Log]

    /// The store of the hub at `label`, as it is now.
    public init(store: SQLiteLogStore, label: String) throws {
        self.store = store
        self.label = label
        let frozen = try store.frozenOrigins()
        snapshot = try store.origins().map { status in
            let count = try store.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM checkpoint c JOIN origin o ON o.id = c.origin_id WHERE o.name = ? AND c.size <= ?",
                                 arguments: [status.origin, Int64(status.size)]) ?? 0
            }
            return AuditBundle.Manifest.Log(origin: status.origin, size: status.size, checkpoints: count,
                                            frozen: frozen[status.origin] != nil)
        }
    }

    public var isExport: Bool { false }

    public func logs() throws -> [AuditBundle.Manifest.Log] { snapshot }

    private func size(_ origin: String) -> Int64 { Int64(snapshot.first { $0.origin == origin }?.size ?? 0) }

    public func latestCheckpoint(origin: String) throws -> String? {
        try store.pool.read { db in
            try String.fetchOne(db, sql: """
                SELECT c.note FROM checkpoint c JOIN origin o ON o.id = c.origin_id WHERE o.name = ? AND c.size <= ?
                ORDER BY c.size DESC LIMIT 1
                """, arguments: [origin, size(origin)])
        }
    }

    public func checkpointHistory(origin: String) throws -> any CheckpointNoteReader {
        Reader(store: store, origin: origin, through: size(origin))
    }

    /// Checkpoints of one origin, ascending, a page at a time (also used by the exporter).
    struct Reader: CheckpointNoteReader {
        let store: SQLiteLogStore
        let origin: String
        let through: Int64
        var after: Int64 = -1

        init(store: SQLiteLogStore, origin: String, through: Int64 = .max) {
            self.store = store
            self.origin = origin
            self.through = through
        }

        mutating func next(limit: Int) throws -> [String] {
            let rows = try store.pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT c.size, c.note FROM checkpoint c JOIN origin o ON o.id = c.origin_id
                    WHERE o.name = ? AND c.size > ? AND c.size <= ? ORDER BY c.size LIMIT ?
                    """, arguments: [origin, after, through, limit])
            }
            if let last = rows.last { after = last[0] }
            return rows.map { $0[1] }
        }
    }

    public func entries(origin: String, bundle: TlogTile) throws -> [[UInt8]] {
        let first = Int64(bundle.firstNodeIndex) + 1
        let rows: [(Int64, [UInt8])] = try store.pool.read { db in
            var out: [(Int64, [UInt8])] = []
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT e.seq, e.bytes FROM entry e JOIN origin o ON o.id = e.origin_id
                WHERE o.name = ? AND e.seq >= ? AND e.seq < ? ORDER BY e.seq
                """, arguments: [origin, first, first + Int64(bundle.width)])
            while let row = try cursor.next() {
                out.append((row[0], try row.withUnsafeData(atIndex: 1) { $0.map(Array.init) ?? [] }))
            }
            return out
        }
        for (offset, row) in rows.enumerated() where row.0 != first + Int64(offset) {
            throw AuditFinding(origin: origin, seq: UInt64(first) + UInt64(offset), "entry \(first + Int64(offset)) is missing from the store")
        }
        guard rows.count == bundle.width else {
            throw AuditFinding(origin: origin, seq: UInt64(first) + UInt64(rows.count), "entry \(first + Int64(rows.count)) is missing from the store")
        }
        return rows.map(\.1)
    }

    public func tile(origin: String, _ tile: TlogTile) throws -> [UInt8]? {
        try store.pool.read { db in
            try Data.fetchOne(db, sql: """
                SELECT t.hashes FROM tile t JOIN origin o ON o.id = t.origin_id WHERE o.name = ? AND t.level = ? AND t.idx = ?
                """, arguments: [origin, tile.level, Int64(tile.index)]).map(Array.init)
        }
    }

    public func evidence() throws -> [(name: String, json: [UInt8])] {
        try store.evidence().map { stored in
            ("evidence \(stored.evidence.id.prefix(16)) (from \(stored.source))", try CanonicalJSON.encode(stored.evidence.json))
        }
    }
}
