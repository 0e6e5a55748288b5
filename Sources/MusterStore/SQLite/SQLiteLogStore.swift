import Foundation
import GRDB
public import MusterCore
import Synchronization

/// The embedded log store: one SQLite file through GRDB, in WAL mode with `synchronous=FULL`, so a
/// commit that returned survives a crash or power loss.
///
/// Entries are kept as their exact canonical bytes, with their local arrival order; the tree's
/// hashes are kept as C2SP tiles (height 8); every checkpoint signed or accepted is kept.
public final class SQLiteLogStore: LogStore {
    public let localOrigin: String
    let pool: DatabasePool
    let signer: NoteSigner
    let writer: Mutex<WriterState>
    /// Envelopes of entries just committed, for the read models' catch-up.
    let recent = RecentEnvelopes()

    /// Mutable state of the single writer: per origin, the tree's right edge and partial tiles.
    struct WriterState: Sendable {
        var origins: [String: OriginState] = [:]
        var clock = HybridLogicalClock()
        /// Origins frozen on evidence of equivocation: nothing more is appended to them.
        var frozen: Set<String> = []
    }

    struct OriginState: Sendable {
        let id: Int64
        var appender: MerkleAppender
        var tiles: TileBuffer
    }

    /// The page size of a log database this store creates.
    static let pageSize = 16_384

    /// Opens (creating if needed) the store at `path`, writing `origin` and signing with `signer`.
    public init(path: String, origin: String, signer: NoteSigner) throws {
        guard signer.name == origin else {
            throw StoreError(.keyFile, "the log key is named '\(signer.name)' but the hub's origin is '\(origin)'")
        }
        var config = Configuration()
        config.busyMode = .timeout(10)
        // The log holds no personal field in the clear, so freed pages need not be zeroed where
        // that costs I/O (Debian's SQLite zeroes every one: a rebuild's swap dropped tables 6× slower).
        // A new log gets 16 KiB pages (SQLite's default is 4 KiB): an entry is about 700 bytes and
        // the read models' rows a few hundred, and every page costs two pwrites into the WAL, one
        // into the database and a pread back. A database already made keeps its page size.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA secure_delete = FAST; PRAGMA page_size = \(Self.pageSize)") }
        pool = try DatabasePool.durable(path: path, configuration: config)
        try HubSchema.migrator.migrate(pool)
        localOrigin = origin
        self.signer = signer
        var state = WriterState()
        try pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO origin(name, is_local) VALUES (?, 1)", arguments: [origin])
            let others = try String.fetchAll(db, sql: "SELECT name FROM origin WHERE is_local = 1 AND name != ?", arguments: [origin])
            if let other = others.first {
                throw StoreError(.dataDirectory, "this database belongs to origin '\(other)', not '\(origin)'")
            }
        }
        try pool.read { db in
            state.origins[origin] = try Self.loadOrigin(db, name: origin)
            state.frozen = Set(try String.fetchAll(db, sql: "SELECT name FROM origin WHERE frozen_reason IS NOT NULL"))
            if let last = try Data.fetchOne(db, sql: """
                SELECT bytes FROM entry WHERE origin_id = ? ORDER BY seq DESC LIMIT 1
                """, arguments: [state.origins[origin]!.id]) {
                state.clock = HybridLogicalClock(last: try Entry.decode(Array(last)).envelope.hlc)
            }
        }
        writer = Mutex(state)
    }

    /// What SQLite reports on the writer connection: its journal mode and `synchronous` level
    /// (2 = FULL), e.g. for a benchmark to state the durability it measured.
    public func durability() throws -> (journalMode: String, synchronous: Int) {
        try pool.writeWithoutTransaction { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?", try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)
        }
    }

    static func loadOrigin(_ db: Database, name: String) throws -> OriginState? {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, size FROM origin WHERE name = ?", arguments: [name]) else {
            return nil
        }
        let id: Int64 = row["id"], size = UInt64(row["size"] as Int64)
        let reader = TileHashReader(db: db, originID: id)
        let appender = try MerkleAppender(reader: reader, size: size)
        let tiles = try TileBuffer(size: size) { level, index, width in
            guard let blob = try Data.fetchOne(db, sql: "SELECT hashes FROM tile WHERE origin_id = ? AND level = ? AND idx = ?",
                                               arguments: [id, level, Int64(index)]), blob.count >= width * 32 else {
                throw StoreError(.corrupt, "partial tile \(level)/\(index) of \(name) is missing or short")
            }
            return try (0..<width).map { i in try MerkleHash(bytes: blob[(i * 32)..<(i * 32 + 32)]) }
        }
        return OriginState(id: id, appender: appender, tiles: tiles)
    }

    /// Writes the tiles a batch touched.
    static func writeTiles(_ db: Database, originID: Int64, tiles: inout TileBuffer) throws {
        let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO tile(origin_id, level, idx, hashes) VALUES (?, ?, ?, ?)")
        for tile in tiles.drainTouched() {
            var blob = Data(capacity: tile.hashes.count * 32)
            for hash in tile.hashes { hash.withUnsafeBytes { blob.append(contentsOf: $0) } }
            try statement.execute(arguments: [originID, tile.level, Int64(tile.index), blob])
        }
    }

    /// The 16 bytes of an event id, as the `entry.event_id` column stores them.
    static func eventIDBlob(_ id: EventID) -> Data { withEventIDBytes(id) { Data($0) } }

    /// The statement that inserts an entry row, run by ``insertEntry(_:originID:seq:id:bytes:)``.
    static func entryInsert(_ db: Database) throws -> BoundStatement {
        try BoundStatement(db, "INSERT INTO entry(origin_id, seq, event_id, bytes) VALUES (?, ?, ?, ?)")
    }

    /// Inserts one entry row with its values bound straight from the entry (no arguments array,
    /// no copy of the bytes into `Data`). A unique-constraint error means the event id is held.
    static func insertEntry(_ insert: BoundStatement, originID: Int64, seq: UInt64, id: String, bytes: [UInt8]) throws {
        _ = try withEventIDBytes(id) { idBytes in
            try bytes.withUnsafeBytes { entryBytes in
                try insert.execute { b in b.integer(originID); b.integer(Int64(seq)); b.blob(idBytes); b.blob(entryBytes) }
            }
        }
    }

    /// The 16 bytes of an event id's text, as ``IDKey`` parses it (big-endian). Ids reach here
    /// schema-checked; text that is not a UUID gives no bytes.
    static func eventIDBytes(_ text: String) -> [UInt8] { withEventIDBytes(text) { Array($0) } }

    /// Calls `body` with ``eventIDBytes(_:)``'s bytes, held on the stack rather than in an array.
    static func withEventIDBytes<R>(_ text: String, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        guard let key = IDKey(text) else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try withBytes(of: key, body)
    }

    /// ``withEventIDBytes(_:_:)-(String,_)`` for a parsed id, without reading its text again.
    static func withEventIDBytes<R>(_ id: EventID, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withBytes(of: id.key, body)
    }

    /// A key's 16 bytes, big-endian, as the `entry.event_id` column stores them.
    private static func withBytes<R>(of key: IDKey, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: (key.high.bigEndian, key.low.bigEndian), body)
    }
}
