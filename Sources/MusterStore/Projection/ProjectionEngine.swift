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

/// Builds and maintains the read models in the hub's database.
///
/// Each projection reads entries in local arrival order and keeps its position; ``catchUp()``
/// applies what arrived since (after every commit, and after every sync). An event becomes facts
/// (one row per entity it is about: the entity and the entry's arrival position, so re-applying is
/// a no-op) and every entity it touched is re-folded from the entries its facts name. A projection
/// whose version changed, a backlog larger than what is applied, or ``rebuild(_:limit:progress:)``,
/// builds into `__build` tables and swaps them in, with the entries that arrived meanwhile, in one
/// transaction: readers see the old model or the new one, never a mix.
public final class ProjectionEngine: Sendable {
    let pool: DatabasePool
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

    /// The engine for a store's database; creates its state table when `writable`.
    public init(store: SQLiteLogStore, projections: [any Projection] = Projections.all, writable: Bool = true,
                sizes: Sizes = Sizes()) throws {
        pool = store.pool
        running = DatabaseTurn.of(store.pool.path)
        recent = store.recent
        self.projections = projections
        self.sizes = sizes
        if writable {
            try pool.write { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS pj_state (
                        name TEXT PRIMARY KEY, version INTEGER NOT NULL, position INTEGER NOT NULL,
                        generation INTEGER NOT NULL, limit_kind TEXT, limit_value TEXT, built_at TEXT NOT NULL
                    ) WITHOUT ROWID
                    """)
            }
        }
    }

    // MARK: - Status

    /// Each projection's status.
    public func status() throws -> [ProjectionStatus] {
        try pool.read { db in
            let state = try Self.states(db)
            return projections.map { p in
                let s = state[p.name]
                return ProjectionStatus(name: p.name, version: p.version, builtVersion: s?.version, position: s?.position ?? 0,
                                        limit: s?.limit)
            }
        }
    }

    struct State {
        var version: Int
        var position: Int64
        var generation: Int64
        var limit: ReplayLimit?
    }

    static func states(_ db: Database) throws -> [String: State] {
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pj_state')")) == true
        else { return [:] }
        var out: [String: State] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT name, version, position, generation, limit_kind, limit_value FROM pj_state")) {
            out[row["name"]] = State(version: row["version"], position: row["position"], generation: row["generation"],
                                     limit: ReplayLimit(kind: row["limit_kind"], value: row["limit_value"]))
        }
        return out
    }

    static func saveState(_ db: Database, _ name: String, _ s: State) throws {
        let limit = s.limit?.stored
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO pj_state(name, version, position, generation, limit_kind, limit_value, built_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [name, s.version, s.position, s.generation, limit?.kind, limit?.value, Timestamp.now().description])
    }

    /// Runs `body` in one transaction that changes only the read models. Its commit is not
    /// synced (`synchronous=NORMAL` for that transaction alone): a read model is derived from
    /// entries already durable and stores its position with its rows, so a power loss can only
    /// take back whole catch-ups, which the next catch-up applies again. The log's own commits
    /// stay `synchronous=FULL`, and the first of them syncs these pages too.
    func writeDerived<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            var result: Result<T, any Error> = .failure(StoreError(.corrupt, "read-model transaction did not run"))
            do {
                try db.inTransaction {
                    result = .success(try body(db))
                    return .commit
                }
            } catch {
                result = .failure(error)
            }
            // Outside any transaction, where SQLite accepts the change of safety level.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return try result.get()
        }
    }

    // MARK: - Catch-up

    /// Applies every entry that arrived since each projection's position; builds projections never
    /// built and rebuilds those whose version (or storage layout) changed. Pinned models (built
    /// with a limit) stay. Returns the number of entries applied.
    @discardableResult
    public func catchUp() throws -> Int64 {
        try running.take {
            let (state, current, end) = try pool.read { db in
                (try Self.states(db),
                 try projections.map { try ProjectionTables.isCurrentLayout(db, ProjectionTables(projection: $0, suffix: "")) },
                 try Self.lastArrival(db))
            }
            // Whatever this run does not take, it applies from the bytes or rebuilds: the cache
            // need not hold those envelopes past it (a hand-over, never the only copy).
            defer { recent.discard(through: end) }
            let stale = zip(projections, current).filter { p, isCurrent in
                guard let s = state[p.name] else { return true }
                return s.version != p.version || (s.limit == nil && !isCurrent)
            }.map(\.0)
            if !stale.isEmpty { _ = try rebuildLocked(stale, limit: nil, progress: nil) }
            let live = projections.filter { p in !stale.contains { $0.name == p.name } && state[p.name]?.limit == nil }
            guard let from = live.compactMap({ state[$0.name]?.position }).min(), from < end else { return 0 }
            if rebuildPays(backlog: end - from, position: from) {
                _ = try rebuildLocked(live, limit: nil, progress: nil)
                return end - from
            }
            // Every live projection is applied from one read and one parse of each batch. What a
            // batch changes is worked out in a read transaction, on every core, while the log's
            // commits go on; the writer is taken only to write it.
            var applied: Int64 = 0
            while true {
                let work = try pool.read { db -> (plans: [(name: String, position: Int64, batch: AppliedBatch)], count: Int, last: Int64)? in
                    let states = try Self.states(db)
                    guard let from = live.compactMap({ states[$0.name]?.position }).min() else { return nil }
                    let raw = try Self.readRaw(db, after: from, limit: sizes.batch)
                    let entries = try Self.decodeInParallel(raw, known: recent.take(raw.lazy.map(\.0)))
                    guard let last = entries.last else { return nil }
                    let plans = try live.compactMap { p -> (String, Int64, AppliedBatch)? in
                        guard let s = states[p.name] else { return nil }
                        let unseen = s.position == from ? entries : entries.filter { $0.arrival > s.position }
                        return (p.name, s.position, try Self.plan(db, ProjectionTables(projection: p, suffix: ""), unseen, limit: nil))
                    }
                    return (plans, entries.count, last.arrival)
                }
                guard let work else { break }
                let written = try writeDerived { db -> Bool in
                    var states = try Self.states(db)
                    // Only catch-ups and rebuilds, taking turns on `running`, move positions, and only
                    // the process holding the writer lock runs them: a plan cannot go stale. Should
                    // that change, a stale plan is worked out again rather than applied twice.
                    guard work.plans.allSatisfy({ states[$0.name]?.position == $0.position }) else { return false }
                    for plan in work.plans {
                        try Self.write(db, plan.batch)
                        states[plan.name]!.position = work.last
                        try Self.saveState(db, plan.name, states[plan.name]!)
                    }
                    return true
                }
                guard written else { continue }
                applied += Int64(work.count)
                if work.count < sizes.batch { break }
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
            let states = try pool.read { db in try Self.states(db) }
            return try rebuildLocked(projections.filter { states[$0.name]?.limit == nil }, limit: nil, progress: nil,
                                     following: follower)
        }
    }

    /// Whether a catch-up after `incoming` more entries would rebuild rather than apply them (see
    /// ``Sizes/rebuildBacklog``): what a pull of that many asks before it starts.
    public func wouldRebuild(afterMore incoming: Int64) throws -> Bool {
        let (states, end) = try pool.read { db in (try Self.states(db), try Self.lastArrival(db)) }
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
