import Foundation
import GRDB
import MusterCore

/// One projection's read model, in a database file of its own in `read-models/` beside the log.
/// Its tables (facts, voids, rows, and its position in `pj_state`) are written only through its
/// own connection, which attaches the log (as `log`) to read the entries its facts name; so
/// catching up or rebuilding a model never takes the log's writer, and models are rebuilt side
/// by side, one writer each.
///
/// **Generations.** A rebuild writes a new file, `NAME.N.building`, and renames it to
/// `NAME.N.sqlite` once it is complete and synced; the old generation's files are then removed.
/// The live model is the file of the highest generation (`NAME.sqlite` is generation 0, as hubs
/// made before generations have it). A building file is written without a journal on disk and
/// without syncs (nothing reads it before it is complete, and an interrupted one is removed), so
/// its pages are written once, where the live file's go through its WAL first.
///
/// A read model is derived from entries already durable and keeps its position with its rows,
/// so the live file's commits are not synced (WAL with `synchronous=NORMAL`): a power loss can
/// take back whole catch-ups, which the next one applies again, but never leaves rows without
/// their position.
final class ModelFile: Sendable {
    let path: String
    let generation: Int
    private let queue: DatabaseQueue

    /// The live file of generation `generation` of projection `name` in `directory`.
    static func path(_ directory: String, _ name: String, generation: Int) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent(generation == 0 ? "\(name).sqlite" : "\(name).\(generation).sqlite").path
    }

    /// The file a rebuild writes generation `generation` into until it is complete.
    static func buildingPath(_ directory: String, _ name: String, generation: Int) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent("\(name).\(generation).building").path
    }

    /// Projection `name`'s live generation in `directory` and its file's path; nil when it has none.
    static func current(_ directory: String, _ name: String, listing: [String]? = nil) -> (path: String, generation: Int)? {
        let generations = files(directory, name, listing: listing).compactMap { $0.isLive ? $0.generation : nil }
        return generations.max().map { (path(directory, name, generation: $0), $0) }
    }

    /// The live file of each projection in `names`, from one listing of `directory`.
    static func live(_ directory: String, _ names: [String]) -> [String?] {
        let listing = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.map { current(directory, $0, listing: listing)?.path }
    }

    /// Every file of projection `name` in `directory` (or in `listing`, the names in it): live
    /// generations and building ones, each with the path of the file proper (its `-wal`, `-shm`
    /// and `-journal` files go with it).
    static func files(_ directory: String, _ name: String, listing: [String]? = nil) -> [(path: String, generation: Int, isLive: Bool)] {
        let names = listing ?? (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { file in
            if file == "\(name).sqlite" { return (path(directory, name, generation: 0), 0, true) }
            guard file.hasPrefix(name + ".") else { return nil }
            let rest = file.dropFirst(name.count + 1)
            for (suffix, isLive) in [(".sqlite", true), (".building", false)] where rest.hasSuffix(suffix) {
                let digits = rest.dropLast(suffix.count)
                guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits), n > 0 else { return nil }
                return (URL(fileURLWithPath: directory).appendingPathComponent(file).path, n, isLive)
            }
            return nil
        }
    }

    /// Removes a database file with its WAL, shared-memory and journal files.
    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// The schema name under which projection `name`'s file is attached: `model_NAME`.
    static func schema(_ name: String) -> String { "model_" + name.replacingOccurrences(of: "-", with: "_") }

    /// Opens (creating) a model file at `path`, attaching the log at `logPath`: a live one in WAL
    /// mode, or, `building`, one with its journal in memory and no syncs.
    init(path: String, generation: Int, logPath: String, building: Bool = false) throws {
        self.path = path
        self.generation = generation
        var config = Configuration()
        if !building { config.journalMode = .wal }
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // As the log's: 16 KiB pages for a new file, freed pages not zeroed where that costs
            // I/O (no personal field is held in the clear), a 64 MB WAL between checkpoints, and
            // temporary storage in memory (a rebuild's many-row statements journal what they change).
            // A building file journals in memory only: a statement or transaction that fails is
            // still rolled back, and a crash leaves a building file that is removed, never read.
            try db.execute(sql: """
                PRAGMA secure_delete = FAST; PRAGMA page_size = \(SQLiteLogStore.pageSize); PRAGMA temp_store = MEMORY;
                PRAGMA wal_autocheckpoint = \(walCheckpointBytes / SQLiteLogStore.pageSize)
                """)
            if building { try db.execute(sql: "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF") }
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

    /// Closes the connection; the file is not used through this object again.
    func close() throws { try queue.close() }

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

/// Writes a file's (or a directory's) changes to disk: `fsync(2)` on it. A rename is durable
/// once its directory is flushed.
func flushToDisk(_ path: String) throws {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw CoreError(.invalidValue, "cannot open \(path) to flush it: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw CoreError(.invalidValue, "cannot flush \(path) to disk: \(String(cString: strerror(errno)))") }
}
