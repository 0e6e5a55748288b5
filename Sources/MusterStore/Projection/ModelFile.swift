import Foundation
import GRDB
import MusterCore

/// One projection's read model, in a database file of its own: `read-models/NAME.sqlite` beside
/// the log. Its tables (facts, voids, rows, and its position in `pj_state`) are written only
/// through its own connection, which attaches the log (as `log`) to read the entries its facts
/// name; so catching up or rebuilding a model never takes the log's writer, and models are
/// rebuilt side by side, one writer each.
///
/// A read model is derived from entries already durable and keeps its position with its rows,
/// so its commits are not synced (WAL with `synchronous=NORMAL`): a power loss can take back
/// whole catch-ups, which the next one applies again, but never leaves rows without their position.
final class ModelFile: Sendable {
    let path: String
    private let queue: DatabaseQueue

    /// The file of projection `name` in `directory`, and its schema name for the view connections.
    static func location(_ directory: String, _ name: String) -> (path: String, schema: String) {
        (URL(fileURLWithPath: directory).appendingPathComponent("\(name).sqlite").path, schema(name))
    }

    /// The schema name under which projection `name`'s file is attached: `model_NAME`.
    static func schema(_ name: String) -> String { "model_" + name.replacingOccurrences(of: "-", with: "_") }

    /// Opens (creating) projection `name`'s file in `directory`, attaching the log at `logPath`.
    init(directory: String, name: String, logPath: String) throws {
        path = Self.location(directory, name).path
        var config = Configuration()
        config.journalMode = .wal
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // As the log's: 16 KiB pages for a new file, freed pages not zeroed where that costs
            // I/O (no personal field is held in the clear), a 64 MB WAL between checkpoints, and
            // temporary storage in memory (a rebuild's many-row statements journal what they change).
            try db.execute(sql: """
                PRAGMA secure_delete = FAST; PRAGMA page_size = \(SQLiteLogStore.pageSize); PRAGMA temp_store = MEMORY;
                PRAGMA wal_autocheckpoint = \(walCheckpointBytes / SQLiteLogStore.pageSize)
                """)
            try db.execute(sql: "ATTACH DATABASE ? AS log", arguments: [logPath])
        }
        queue = try DatabaseQueue(path: path, configuration: config)
        try write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS main.pj_state (
                    name TEXT PRIMARY KEY, version INTEGER NOT NULL, position INTEGER NOT NULL,
                    generation INTEGER NOT NULL, limit_kind TEXT, limit_value TEXT, built_at TEXT NOT NULL
                ) WITHOUT ROWID
                """)
        }
    }

    /// Runs `body` in one transaction on this model's file. The transaction is deferred: it takes
    /// this file's write lock at its first write and only reads the attached log (an immediate
    /// one would take the log's write lock too, and wait for its commits).
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.writeWithoutTransaction { db in
            var result: Result<T, any Error> = .failure(StoreError(.corrupt, "read-model transaction did not run"))
            do {
                try db.inTransaction(.deferred) {
                    result = .success(try body(db))
                    return .commit
                }
            } catch {
                result = .failure(error)
            }
            return try result.get()
        }
    }

    /// Runs `body` in a read transaction on this model's file (the log attached).
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.read(body)
    }
}
