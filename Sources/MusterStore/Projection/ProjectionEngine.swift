import Crypto
import Foundation
import GRDB
public import MusterCore
import Synchronization

/// How far a rebuild reads: up to a position in this hub's arrival order, or the entries
/// recorded on or before a date (UTC). A model built with a limit stays there (catch-up leaves it
/// alone) until it is rebuilt without one.
public enum ReplayLimit: Sendable, Hashable, CustomStringConvertible {
    case position(Int64)
    case asOf(CalendarDate)

    func admits(arrival: Int64, _ envelope: Envelope) -> Bool {
        switch self {
        case .position(let p): arrival <= p
        case .asOf(let d): envelope.recordedAt.date <= d
        }
    }

    public var description: String {
        switch self {
        case .position(let p): "until position \(p)"
        case .asOf(let d): "as of \(d)"
        }
    }

    var stored: (kind: String, value: String) {
        switch self {
        case .position(let p): ("until", String(p))
        case .asOf(let d): ("as-of", d.description)
        }
    }

    init?(kind: String?, value: String?) {
        switch (kind, value) {
        case ("until", let v?): guard let p = Int64(v) else { return nil }; self = .position(p)
        case ("as-of", let v?): guard let d = try? CalendarDate(v) else { return nil }; self = .asOf(d)
        default: return nil
        }
    }
}

/// What a projection's read model holds now.
public struct ProjectionStatus: Sendable, Hashable {
    public let name: String
    /// The version the code builds.
    public let version: Int
    /// The version the stored model was built with (`nil` if never built).
    public let builtVersion: Int?
    /// The last arrival position applied.
    public let position: Int64
    /// The limit it was built with, if pinned.
    public let limit: ReplayLimit?
}

/// Progress of a rebuild: entries read of the total, facts folded.
public struct ReplayProgress: Sendable {
    public let phase: String
    public let done: Int64
    public let total: Int64
}

/// The outcome of a rebuild.
public struct ReplayReport: Sendable {
    /// Entries the models were built from (with a limit, those it admits).
    public let entries: Int64
    /// Seconds it took.
    public let seconds: Double
    /// The projections rebuilt.
    public let projections: [String]
}

/// Builds and maintains the read models, each in a database file of its own (``ModelFile``).
///
/// Each projection reads entries in local arrival order and keeps its position; ``catchUp()``
/// applies what arrived since (after every commit, and after every sync). An event becomes facts
/// (one row per entity it is about: the entity and the entry's arrival position, so re-applying is
/// a no-op) and every entity it touched is re-folded from the entries its facts name. A projection
/// whose version changed, a backlog larger than what is applied, or ``rebuild(_:limit:progress:)``,
/// builds into a new file (the model's next generation) and puts it in place of the live one, with
/// the entries that arrived meanwhile: readers see the old model or the new one, never a mix.
public final class ProjectionEngine: Sendable {
    /// The log's pool: entries are read through it.
    let pool: DatabasePool
    /// The folder of the model files.
    let directory: String
    /// Whether this engine writes the models (it holds the hub's writer lock).
    let writable: Bool
    /// The log's path, which every model file's connection attaches.
    private let logPath: String
    /// The connection to each projection's live file, by name, opened when first needed and
    /// reopened when a rebuild has put a new generation in its place.
    private let opened = Mutex<[String: ModelFile]>([:])
    /// Connections for reading the models: the log, with every model's live file attached (a
    /// report joins one model's table with another's, and reads each as its file's last commit
    /// left it), and the files they attach. Opened again on the new files once a rebuild has
    /// swapped a model in.
    private let views: Mutex<(files: [String?], pool: DatabasePool?)> = Mutex(([], nil))
    /// Envelopes of entries this process just committed (parsed again only when not held here).
    let recent: RecentEnvelopes
    /// The projections kept.
    public let projections: [any Projection]
    /// Serialises catch-ups and rebuilds within this process (the writer lock covers processes):
    /// one lock per database file, shared by every engine opened on it, so a hub reopened while
    /// the hub before it still finishes a background catch-up takes turns with it (two rebuilds
    /// at once would share the build tables).
    private let running: DatabaseTurn
    /// How entries are read, applied and staged, and a rebuild's sort runs (tests make them small).
    let sizes: Sizes

    /// Batch and buffer sizes.
    public struct Sizes: Sendable {
        /// Entries read and applied per transaction.
        public var batch = 8192
        /// A backlog at least this large, and larger than what the models hold, is rebuilt rather
        /// than applied: a rebuild writes each table in key order, where applying touches pages at random.
        public var rebuildBacklog: Int64 = 65_536
        /// Bytes of staged facts a rebuild sorts in memory before it writes a run to disk.
        public var sortRun = 16 << 20
        public init() {}
    }

    /// The folder of a log's read-model files: `read-models` beside it.
    static func modelDirectory(logPath: String) -> String {
        URL(fileURLWithPath: logPath).deletingLastPathComponent().appendingPathComponent("read-models").path
    }

    /// The engine for a store's log. When `writable`, it opens (creating) each projection's file
    /// and drops read-model tables that older versions kept in the log's own file; otherwise it
    /// reads the model files that exist.
    public init(store: SQLiteLogStore, projections: [any Projection] = Projections.all, writable: Bool = true,
                sizes: Sizes = Sizes()) throws {
        pool = store.pool
        running = DatabaseTurn.of(store.pool.path)
        recent = store.recent
        self.projections = projections
        self.sizes = sizes
        directory = Self.modelDirectory(logPath: store.pool.path)
        logPath = store.pool.path
        self.writable = writable
        if writable {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Self.dropTablesInLog(pool)
            // Every projection has a file from the start (empty until built), for readers to attach;
            // older generations that a crash kept from being removed go (a building file may be
            // another engine's in this process, and is left to the next build).
            for p in projections {
                let live = try model(p)
                for file in ModelFile.files(directory, p.name) where file.isLive && file.generation < live.generation { ModelFile.remove(file.path) }
            }
        }
    }

    /// The views' pool on the model files `files`: the one open if it attaches them, or a new one.
    private func viewPool(_ files: [String?]) throws -> DatabasePool {
        try views.withLock { v in
            if let pool = v.pool, v.files == files { return pool }
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(10)
            let attached = zip(projections.map { ModelFile.schema($0.name) }, files).compactMap { schema, path in path.map { (schema, $0) } }
            config.prepareDatabase { db in
                for (schema, path) in attached { try db.execute(sql: "ATTACH DATABASE ? AS \(schema)", arguments: [path]) }
            }
            let pool = try DatabasePool(path: logPath, configuration: config)
            v = (files, pool)
            return pool
        }
    }

    /// Drops the read-model tables that versions before model files kept in the log's file
    /// (their models are rebuilt into files of their own).
    private static func dropTablesInLog(_ pool: DatabasePool) throws {
        let old = try pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'pj\\_%' ESCAPE '\\' OR name LIKE 'rm\\_%' ESCAPE '\\')")
        }
        guard !old.isEmpty else { return }
        try pool.write { db in for name in old { try db.execute(sql: "DROP TABLE IF EXISTS \"\(name)\"") } }
    }

    private func requireWritable() throws {
        guard writable else {
            throw StoreError(.locked, "the read models of this hub are open for reading only: another process holds its writer lock")
        }
    }

    /// The live model file of projection `p` (created, empty, when it has none).
    func model(_ p: any Projection) throws -> ModelFile {
        try requireWritable()
        let live = ModelFile.current(directory, p.name) ?? (ModelFile.path(directory, p.name, generation: 0), 0)
        return try opened.withLock { files in
            if let file = files[p.name], file.path == live.path { return file }
            try files[p.name]?.close()
            let file = try ModelFile(path: live.path, generation: live.generation, logPath: logPath)
            files[p.name] = file
            return file
        }
    }

    /// A new file for the next generation of projection `p`, to build it into (what an
    /// interrupted build left is removed first).
    func startBuild(_ p: any Projection) throws -> ModelFile {
        try requireWritable()
        let files = ModelFile.files(directory, p.name)
        for file in files where !file.isLive { ModelFile.remove(file.path) }
        let generation = (files.filter(\.isLive).map(\.generation).max() ?? 0) + 1
        return try ModelFile(path: ModelFile.buildingPath(directory, p.name, generation: generation), generation: generation,
                             logPath: logPath, building: true)
    }

    /// Puts a built file in place of projection `p`'s live one: synced, renamed to its live name
    /// (a rename the directory then makes durable), and the older generations removed. Readers
    /// that still have an old file open read it until they close it; new reads see the new one.
    func install(_ built: ModelFile, _ p: any Projection) throws {
        try built.close()
        try flushToDisk(built.path)
        let live = ModelFile.path(directory, p.name, generation: built.generation)
        guard rename(built.path, live) == 0 else {
            throw StoreError(.corrupt, "cannot rename \(built.path) to \(live): \(String(cString: strerror(errno)))")
        }
        try flushToDisk(directory)
        try opened.withLock { files in try files.removeValue(forKey: p.name)?.close() }
        for file in ModelFile.files(directory, p.name) where file.path != live { ModelFile.remove(file.path) }
    }

    /// Removes a build's file after it failed.
    func abandon(_ built: ModelFile) {
        try? built.close()
        ModelFile.remove(built.path)
    }

    /// Reads the models: `body` sees every model's tables by name (and the log's).
    func readViews<T>(_ body: (Database) throws -> T) throws -> T {
        let names = projections.map(\.name)
        var files = ModelFile.live(directory, names), attempts = 1
        while true {
            do {
                return try viewPool(files).read(body)
            } catch {
                // A rebuild put a model's new file in place and removed the old one after it was
                // listed, before a connection attached it (in this process, or another): once
                // more, on the files live now. A failure with the same files live is the read's own.
                let now = ModelFile.live(directory, names)
                guard now != files, attempts < 8 else { throw error }
                files = now
                attempts += 1
            }
        }
    }

    // MARK: - Status

    /// Each projection's status.
    public func status() throws -> [ProjectionStatus] {
        let state = try states()
        return projections.map { p in
            let s = state[p.name]
            return ProjectionStatus(name: p.name, version: p.version, builtVersion: s?.version, position: s?.position ?? 0,
                                    limit: s?.limit)
        }
    }

    struct State {
        var version: Int
        var position: Int64
        var generation: Int64
        var limit: ReplayLimit?
    }

    /// Each built projection's state, as its file's last commit left it.
    func states() throws -> [String: State] {
        try readViews { db in
            var out: [String: State] = [:]
            for p in projections {
                let schema = ModelFile.schema(p.name)
                guard try Self.hasTable(db, "pj_state", in: schema), let s = try Self.state(db, p.name, in: schema) else { continue }
                out[p.name] = s
            }
            return out
        }
    }

    /// Whether the file attached as `schema` holds table `name` now. (GRDB's `tableExists` keeps
    /// what it found per connection, and notices only the main file's changes: a view connection
    /// would not see a model's tables made after it first looked.)
    static func hasTable(_ db: Database, _ name: String, in schema: String) throws -> Bool {
        guard try Bool.fetchOne(db, sql: "SELECT COUNT(*) > 0 FROM pragma_database_list WHERE name = ?", arguments: [schema]) == true
        else { return false }
        return try Bool.fetchOne(db, sql: "SELECT COUNT(*) > 0 FROM \(schema).sqlite_master WHERE type = 'table' AND name = ?",
                                 arguments: [name]) == true
    }

    /// Projection `name`'s state in the file attached as `schema` (`main` on its own connection).
    static func state(_ db: Database, _ name: String, in schema: String = "main") throws -> State? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT version, position, generation, limit_kind, limit_value FROM \(schema).pj_state WHERE name = ?
            """), arguments: [name]) else { return nil }
        return State(version: row["version"], position: row["position"], generation: row["generation"],
                     limit: ReplayLimit(kind: row["limit_kind"], value: row["limit_value"]))
    }

    static func saveState(_ db: Database, _ name: String, _ s: State) throws {
        let limit = s.limit?.stored
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO main.pj_state(name, version, position, generation, limit_kind, limit_value, built_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [name, s.version, s.position, s.generation, limit?.kind, limit?.value, Timestamp.now().description])
    }

    // MARK: - Catch-up

    /// Applies every entry that arrived since each projection's position; builds projections never
    /// built and rebuilds those whose version (or storage layout) changed. Pinned models (built
    /// with a limit) stay. Returns the number of entries applied.
    @discardableResult
    public func catchUp() throws -> Int64 {
        try running.take {
            var state = try states()
            let current = try projections.map { p in
                try state[p.name] == nil || model(p).read { db in try ProjectionTables.isCurrentLayout(db, ProjectionTables(projection: p, suffix: "")) }
            }
            let end = try pool.read { db in try Self.lastArrival(db) }
            // Whatever this run does not take, it applies from the bytes or rebuilds: the cache
            // need not hold those envelopes past it (a hand-over, never the only copy).
            defer { recent.discard(through: end) }
            let stale = zip(projections, current).filter { p, isCurrent in
                guard let s = state[p.name] else { return true }
                return s.version != p.version || (s.limit == nil && !isCurrent)
            }.map(\.0)
            if !stale.isEmpty {
                _ = try rebuildLocked(stale, limit: nil, progress: nil)
                state = try states()
            }
            let live = projections.filter { p in !stale.contains { $0.name == p.name } && state[p.name]?.limit == nil }
            guard let from = live.compactMap({ state[$0.name]?.position }).min(), from < end else { return 0 }
            if rebuildPays(backlog: end - from, position: from) {
                _ = try rebuildLocked(live, limit: nil, progress: nil)
                return end - from
            }
            // Every live projection is applied from one read and one parse of each batch, each in
            // a transaction on its own file (the log's commits go on meanwhile).
            var applied: Int64 = 0
            while true {
                guard let from = live.compactMap({ state[$0.name]?.position }).min() else { break }
                let raw = try pool.read { db in try Self.readRaw(db, after: from, limit: sizes.batch) }
                let entries = try Self.decodeInParallel(raw, known: recent.take(raw.lazy.map(\.0)))
                guard let last = entries.last else { break }
                for p in live {
                    guard var s = state[p.name] else { continue }
                    let unseen = s.position == from ? entries : entries.filter { $0.arrival > s.position }
                    s.position = last.arrival
                    try model(p).write { db in
                        try Self.apply(db, ProjectionTables(projection: p, suffix: ""), unseen, limit: nil)
                        try Self.saveState(db, p.name, s)
                    }
                    state[p.name] = s
                }
                applied += Int64(entries.count)
                if entries.count < sizes.batch { break }
            }
            return applied
        }
    }

    // MARK: - Rebuild

    /// Rebuilds projections from the log into new tables and swaps them in atomically; with a
    /// limit, the models stop there and stay pinned until rebuilt without one.
    public func rebuild(_ selected: [any Projection]? = nil, limit: ReplayLimit? = nil,
                        progress: (@Sendable (ReplayProgress) -> Void)? = nil) throws -> ReplayReport {
        try running.take { try rebuildLocked(selected ?? projections, limit: limit, progress: progress) }
    }

    /// Rebuilds every projection not pinned to a limit, staging the log as it grows until
    /// `follower` is finished, then swaps the models in (entries committed meanwhile included).
    /// For a pull that will more than double the log: its entries are staged as they land
    /// instead of after it.
    public func rebuild(following follower: LogFollower) throws -> ReplayReport {
        try running.take {
            let states = try states()
            return try rebuildLocked(projections.filter { states[$0.name]?.limit == nil }, limit: nil, progress: nil,
                                     following: follower)
        }
    }

    /// Whether a catch-up after `incoming` more entries would rebuild rather than apply them (see
    /// ``Sizes/rebuildBacklog``): what a pull of that many asks before it starts.
    public func wouldRebuild(afterMore incoming: Int64) throws -> Bool {
        let states = try states()
        let end = try pool.read { db in try Self.lastArrival(db) }
        let from = projections.filter { states[$0.name]?.limit == nil }.map { states[$0.name]?.position ?? 0 }.min() ?? end
        return rebuildPays(backlog: end - from + incoming, position: from)
    }

    /// Whether a backlog of entries is better rebuilt than applied, for models at `position`.
    private func rebuildPays(backlog: Int64, position: Int64) -> Bool {
        backlog >= sizes.rebuildBacklog && backlog > position
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    // MARK: - Reading entries

    /// The arrival position of the newest stored entry (0 when there is none).
    static func lastArrival(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(arrival), 0) FROM entry")) ?? 0
    }

    struct Arrived: Sendable {
        let arrival: Int64
        let envelope: Envelope
    }

    /// Up to `limit` stored entries after arrival position `after` (and at most `upTo`), as bytes.
    static func readRaw(_ db: Database, after: Int64, limit: Int, upTo: Int64 = .max) throws -> [(Int64, [UInt8])] {
        let select = try BoundStatement(db, "SELECT arrival, bytes FROM entry WHERE arrival > ? AND arrival <= ? ORDER BY arrival LIMIT ?")
        var raw: [(Int64, [UInt8])] = []
        if limit != .max { raw.reserveCapacity(limit) }
        try select.query({ $0.integer(after); $0.integer(upTo); $0.integer(limit == .max ? -1 : Int64(limit)) }) { row in
            let bytes = row.blob(1)
            raw.append((row.integer(0), [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: bytes)
                count = bytes.count
            }))
        }
        return raw
    }

    /// Parses stored entries on every core (the parse is most of a replay's CPU time).
    /// - Parameter known: envelopes already at hand, by arrival (from ``RecentEnvelopes``).
    static func decodeInParallel(_ raw: [(Int64, [UInt8])], known: [Int64: Envelope] = [:]) throws -> [Arrived] {
        try Parallel.mapChunked(raw, minimum: known.isEmpty ? 512 : 2_048) { a in
            if let envelope = known[a.0] {
                // Debug builds (the tests) check that what was handed over is what the bytes say.
                assert(envelope == (try? Entry.decode(stored: a.1).envelope), "the envelope held for arrival \(a.0) differs from its bytes")
                return Arrived(arrival: a.0, envelope: envelope)
            }
            return Arrived(arrival: a.0, envelope: try Entry.decode(stored: a.1).envelope)
        }
    }
}

/// The turn to change one database's read models, shared by every ``ProjectionEngine`` on that
/// file in this process.
final class DatabaseTurn: Sendable {
    private let mutex = Mutex(())
    private static let byPath = Mutex<[String: DatabaseTurn]>([:])

    /// The turn for the database at `path` (the same object for every spelling of the path).
    static func of(_ path: String) -> DatabaseTurn {
        let key = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        return byPath.withLock { turns in
            if let turn = turns[key] { return turn }
            let turn = DatabaseTurn()
            turns[key] = turn
            return turn
        }
    }

    /// Runs `body` once no other engine on this database is running one.
    func take<T>(_ body: () throws -> T) throws -> T {
        try mutex.withLock { _ in try body() }
    }
}
