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
    /// Entries read from the log.
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
/// (one row per entity it is about, keyed by entity, stamp and event id, so re-applying is a no-op)
/// and every entity it touched is re-folded from its facts. A projection whose version changed, or
/// ``rebuild(_:limit:progress:)``, builds into `__build` tables and swaps them in, with the entries
/// that arrived meanwhile, in one transaction: readers see the old model or the new one, never a mix.
public final class ProjectionEngine: Sendable {
    let pool: DatabasePool
    /// The projections kept.
    public let projections: [any Projection]
    /// Serialises catch-ups and rebuilds within this process (the writer lock covers processes).
    private let running = Mutex(())
    static let batch = 8192

    /// The engine for a store's database; creates its state table when `writable`.
    public init(store: SQLiteLogStore, projections: [any Projection] = Projections.all, writable: Bool = true) throws {
        pool = store.pool
        self.projections = projections
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
        guard try db.tableExists("pj_state") else { return [:] }
        var out: [String: State] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, version, position, generation, limit_kind, limit_value FROM pj_state") {
            out[row["name"]] = State(version: row["version"], position: row["position"], generation: row["generation"],
                                     limit: ReplayLimit(kind: row["limit_kind"], value: row["limit_value"]))
        }
        return out
    }

    static func saveState(_ db: Database, _ name: String, _ s: State) throws {
        let limit = s.limit?.stored
        try db.execute(sql: """
            INSERT OR REPLACE INTO pj_state(name, version, position, generation, limit_kind, limit_value, built_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [name, s.version, s.position, s.generation, limit?.kind, limit?.value, Timestamp.now().description])
    }

    // MARK: - Catch-up

    /// Applies every entry that arrived since each projection's position; builds projections never
    /// built and rebuilds those whose version changed. Pinned models (built with a limit) stay.
    /// Returns the number of entries applied.
    @discardableResult
    public func catchUp() throws -> Int64 {
        try running.withLock { _ in
            let state = try pool.read { db in try Self.states(db) }
            let stale = projections.filter { state[$0.name]?.version != $0.version }
            if !stale.isEmpty { _ = try rebuildLocked(stale, limit: nil, progress: nil) }
            // Every live projection is applied from one read and one parse of each batch.
            let live = projections.filter { p in !stale.contains { $0.name == p.name } && state[p.name]?.limit == nil }
            var applied: Int64 = 0
            while !live.isEmpty {
                let n = try pool.write { db -> Int in
                    let states = try Self.states(db)
                    guard let from = live.compactMap({ states[$0.name]?.position }).min() else { return 0 }
                    let entries = try Self.readEntries(db, after: from, limit: Self.batch)
                    guard let last = entries.last else { return 0 }
                    for p in live {
                        guard var s = states[p.name] else { continue }
                        let unseen = s.position == from ? entries : entries.filter { $0.arrival > s.position }
                        try Self.apply(db, ProjectionTables(projection: p, suffix: ""), unseen, limit: nil)
                        s.position = last.arrival
                        try Self.saveState(db, p.name, s)
                    }
                    return entries.count
                }
                applied += Int64(n)
                if n < Self.batch { break }
            }
            return applied
        }
    }

    // MARK: - Rebuild

    /// Rebuilds projections from the log into new tables and swaps them in atomically; with a
    /// limit, the models stop there and stay pinned until rebuilt without one.
    public func rebuild(_ selected: [any Projection]? = nil, limit: ReplayLimit? = nil,
                        progress: (@Sendable (ReplayProgress) -> Void)? = nil) throws -> ReplayReport {
        try running.withLock { _ in try rebuildLocked(selected ?? projections, limit: limit, progress: progress) }
    }

    private func rebuildLocked(_ selected: [any Projection], limit: ReplayLimit?,
                               progress: (@Sendable (ReplayProgress) -> Void)?) throws -> ReplayReport {
        let clock = ContinuousClock.now
        let targets = selected.map { ProjectionTables(projection: $0, suffix: ProjectionTables.buildSuffix) }
        let (end, generations) = try pool.write { db -> (Int64, [Int64]) in
            let state = try Self.states(db)
            let gens = selected.map { (state[$0.name]?.generation ?? 0) + 1 }
            for (t, g) in zip(targets, gens) { try t.create(db, generation: g) }
            let end = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(arrival), 0) FROM entry") ?? 0
            return (end, gens)
        }
        // Phase 1: every entry becomes facts (and voids and tallies), in batches.
        var position: Int64 = 0, read: Int64 = 0
        while position < end {
            let entries = try pool.read { db in try Self.readEntries(db, after: position, limit: Self.batch, upTo: end) }
            guard let last = entries.last else { break }
            try pool.write { db in
                for t in targets { try Self.insertFacts(db, t, entries, limit: limit) }
            }
            position = last.arrival
            read += Int64(entries.count)
            progress?(ReplayProgress(phase: "reading", done: position, total: end))
        }
        // Phase 2: index the facts, then fold every entity from its facts.
        try pool.write { db in for (t, g) in zip(targets, generations) { try t.createFactIndexes(db, generation: g) } }
        for t in targets { try foldAll(t, progress: progress) }
        // Phase 3: apply what arrived meanwhile and swap, in one transaction.
        try pool.write { db in
            let tail = try Self.readEntries(db, after: end, limit: Int.max)
            for (t, g) in zip(targets, generations) {
                if limit == nil { try Self.apply(db, t, tail, limit: nil) }
                try t.swapIn(db)
                try Self.saveState(db, t.projection.name, State(version: t.projection.version,
                                                                position: limit == nil ? (tail.last?.arrival ?? end) : end,
                                                                generation: g, limit: limit))
            }
        }
        return ReplayReport(entries: read, seconds: Self.seconds(since: clock), projections: selected.map(\.name))
    }

    private func foldAll(_ t: ProjectionTables, progress: (@Sendable (ReplayProgress) -> Void)?) throws {
        let total = try pool.read { db in try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM \(t.fact)") ?? 0 }
        var after: FactKey?, done: Int64 = 0
        while true {
            let (n, last) = try pool.write { db -> (Int64, FactKey?) in
                var cursor = try Self.factCursor(db, t, after: after)
                var folded: Int64 = 0, current: FactKey?, facts: [Fact] = []
                let writer = try RowWriter(db, t)
                while let fact = try cursor.next() {
                    if fact.key != current {
                        if let c = current {
                            try writer.replace(c, with: t.projection.fold(c, facts: facts), delete: false)
                            if folded >= Int64(Self.batch) * 4 { return (folded, c) }
                        }
                        current = fact.key; facts.removeAll(keepingCapacity: true)
                    }
                    facts.append(fact)
                    folded += 1
                }
                if let c = current { try writer.replace(c, with: t.projection.fold(c, facts: facts), delete: false) }
                return (folded, nil)
            }
            done += n
            progress?(ReplayProgress(phase: "folding \(t.projection.name)", done: done, total: total))
            guard let last else { break }
            after = last
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    // MARK: - Applying entries

    struct Arrived {
        let arrival: Int64
        let envelope: Envelope
    }

    static func readEntries(_ db: Database, after: Int64, limit: Int, upTo: Int64 = .max) throws -> [Arrived] {
        let cursor = try Row.fetchCursor(db, sql: "SELECT arrival, bytes FROM entry WHERE arrival > ? AND arrival <= ? ORDER BY arrival LIMIT ?",
                                         arguments: [after, upTo, limit == .max ? -1 : limit])
        var raw: [(Int64, [UInt8])] = []
        while let row = try cursor.next() {
            raw.append((row[0], try row.withUnsafeData(atIndex: 1) { data in data.map(Array.init) ?? [] }))
        }
        return try decodeInParallel(raw)
    }

    /// Parses entries on every core (the parse is most of a replay's CPU time).
    static func decodeInParallel(_ raw: [(Int64, [UInt8])]) throws -> [Arrived] {
        let workers = raw.count < 512 ? 1 : max(1, ProcessInfo.processInfo.activeProcessorCount)
        let per = (raw.count + workers - 1) / max(workers, 1)
        let parts = Mutex([[Arrived]](repeating: [], count: workers))
        let failure = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let range = (w * per)..<min(raw.count, (w + 1) * per)
            guard !range.isEmpty else { return }
            do {
                let part = try raw[range].map { Arrived(arrival: $0.0, envelope: try Entry.decode(stored: $0.1).envelope) }
                parts.withLock { $0[w] = part }
            } catch { failure.withLock { $0 = error } }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return parts.withLock { $0.flatMap { $0 } }
    }

    /// Applies entries to a projection's tables: facts, voids and tallies, then re-folds every
    /// entity they touched.
    static func apply(_ db: Database, _ t: ProjectionTables, _ entries: [Arrived], limit: ReplayLimit?) throws {
        var dirty = Set<FactKey>()
        try insertFacts(db, t, entries, limit: limit) { dirty.insert($0) }
        let writer = try RowWriter(db, t)
        for key in dirty.sorted() {
            var cursor = try factCursor(db, t, only: key)
            var facts: [Fact] = []
            while let f = try cursor.next() { facts.append(f) }
            try writer.replace(key, with: t.projection.fold(key, facts: facts), delete: true)
        }
    }

    /// Inserts the entries' facts, voids and tallies; `touched`, when given, hears every entity
    /// whose facts changed (a void's target entity included), to be re-folded.
    static func insertFacts(_ db: Database, _ t: ProjectionTables, _ entries: [Arrived], limit: ReplayLimit?,
                            touched: ((FactKey) -> Void)? = nil) throws {
        let p = t.projection
        let insert = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO \(t.fact)(entity, key, wall, cnt, origin, event_id, seq, type, subject, recorded_at, payload)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let insertVoid = try db.cachedStatement(sql: "INSERT OR IGNORE INTO \(t.void)(target, void_id) VALUES (?, ?)")
        let voidedKeys = try db.cachedStatement(sql: "SELECT entity, key FROM \(t.fact) WHERE event_id = ?")
        var tallies: [String: ReadModelTally] = [:]
        for a in entries {
            let e = a.envelope
            if let limit, !limit.admits(arrival: a.arrival, e) { continue }
            if let target = Projections.voidTarget(e) {
                try insertVoid.execute(arguments: [target, e.id.text])
                if let touched {
                    for row in try Row.fetchAll(voidedKeys, arguments: [target]) { touched(FactKey(row[0], row[1])) }
                }
            }
            let keys = p.route(e)
            if !keys.isEmpty {
                let payload = Data(try CanonicalJSON.encode(e.payload))
                for key in keys {
                    try insert.execute(arguments: [key.entity, key.key, e.hlc.wallMillis, e.hlc.counter, e.origin, e.id.text,
                                                   Int64(e.seq), e.type, e.subject?.text, e.recordedAt.unixMillis, payload])
                    touched?(key)
                }
            }
            for tally in p.tally(e) {
                let k = tally.table + "\n" + tally.key
                tallies[k] = tallies[k].map { Self.combine($0, tally) } ?? tally
            }
        }
        for tally in tallies.values.sorted(by: { ($0.table, $0.key) < ($1.table, $1.key) }) { try upsert(db, t, tally) }
    }

    static func combine(_ a: ReadModelTally, _ b: ReadModelTally) -> ReadModelTally {
        var out = a
        out.sums.merge(b.sums, uniquingKeysWith: +)
        out.maxima.merge(b.maxima) { x, y in larger(x, y) ? x : y }
        out.minima.merge(b.minima) { x, y in larger(x, y) ? y : x }
        return out
    }

    static func larger(_ x: ReadModelValue, _ y: ReadModelValue) -> Bool {
        switch (x, y) {
        case (.integer(let a), .integer(let b)): a > b
        case (.text(let a), .text(let b)): a > b
        case (.null, _): false
        default: true
        }
    }

    static func upsert(_ db: Database, _ t: ProjectionTables, _ tally: ReadModelTally) throws {
        guard let table = t.projection.tables.first(where: { $0.name == tally.table }) else { return }
        let name = t.table(table)
        let columns = table.columns.map(\.name)
        let existing = try Row.fetchOne(db, sql: "SELECT * FROM \(name) WHERE key = ?", arguments: [tally.key])
        var values: [ReadModelValue] = []
        for column in columns {
            let old = existing.map { ReadModelValue($0[column] as DatabaseValue) } ?? .null
            if column == "key" { values.append(.text(tally.key)) }
            else if let add = tally.sums[column] {
                if case .integer(let n) = old { values.append(.integer(n + add)) } else { values.append(.integer(add)) }
            } else if let m = tally.maxima[column] {
                values.append(old == .null || larger(m, old) ? m : old)
            } else if let m = tally.minima[column] {
                values.append(old == .null || larger(old, m) ? m : old)
            } else { values.append(old) }
        }
        try db.execute(sql: "INSERT OR REPLACE INTO \(name) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                       arguments: StatementArguments(values.map(\.databaseValue)))
    }

    // MARK: - Reading facts

    struct FactCursor {
        let rows: RowCursor
        mutating func next() throws -> Fact? {
            guard let row = try rows.next() else { return nil }
            let payloadBytes: [UInt8] = try row.withUnsafeData(atIndex: 10) { data in data.map(Array.init) ?? [] }
            let payload: JSONValue
            do { payload = try CanonicalJSON.parse(payloadBytes) } catch {
                throw StoreError(.corrupt, "a stored fact's payload is not JSON: \(error)")
            }
            let key = FactKey(row[0], row[1])
            return Fact(key: key, stamp: FactStamp(hlc: HLCStamp(wallMillis: row[2], counter: row[3]), origin: row[4], eventID: row[5]),
                        seq: UInt64(row[6] as Int64), type: row[7], subject: row[8],
                        recordedAt: Timestamp(unixMillis: row[9]), payload: payload)
        }
    }

    static let factColumns = "entity, key, wall, cnt, origin, event_id, seq, type, subject, recorded_at, payload"

    static func factCursor(_ db: Database, _ t: ProjectionTables, only key: FactKey) throws -> FactCursor {
        FactCursor(rows: try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT \(factColumns) FROM \(t.fact) f WHERE entity = ? AND key = ?
            AND NOT EXISTS (SELECT 1 FROM \(t.void) v WHERE v.target = f.event_id)
            ORDER BY wall, cnt, origin, event_id
            """), arguments: [key.entity, key.key]))
    }

    static func factCursor(_ db: Database, _ t: ProjectionTables, after: FactKey?) throws -> FactCursor {
        let filter = after == nil ? "" : "AND (entity, key) > (?, ?)"
        return FactCursor(rows: try Row.fetchCursor(db, sql: """
            SELECT \(factColumns) FROM \(t.fact) f WHERE NOT EXISTS (SELECT 1 FROM \(t.void) v WHERE v.target = f.event_id) \(filter)
            ORDER BY entity, key, wall, cnt, origin, event_id
            """, arguments: after.map { [$0.entity, $0.key] } ?? []))
    }

    /// Replaces one entity's rows in the tables its fold writes.
    struct RowWriter {
        let db: Database
        let t: ProjectionTables
        var deletes: [String: Statement] = [:]
        var inserts: [String: Statement] = [:]
        var byEntity: [String: [ReadModelTable]] = [:]

        init(_ db: Database, _ t: ProjectionTables) throws {
            self.db = db; self.t = t
            for table in t.projection.tables {
                guard let entity = table.entity else { continue }
                byEntity[entity, default: []].append(table)
                deletes[table.name] = try db.cachedStatement(sql: "DELETE FROM \(t.table(table)) WHERE key = ?")
                inserts[table.name] = try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO \(t.table(table)) VALUES (\(table.columns.map { _ in "?" }.joined(separator: ", ")))
                    """)
            }
        }

        func replace(_ key: FactKey, with rows: [ReadModelRow], delete: Bool) throws {
            if delete {
                for table in byEntity[key.entity] ?? [] { try deletes[table.name]!.execute(arguments: [key.key]) }
            }
            for row in rows {
                guard let insert = inserts[row.table] else {
                    throw StoreError(.corrupt, "projection \(t.projection.name) wrote to unknown table \(row.table)")
                }
                try insert.execute(arguments: StatementArguments(row.values.map(\.databaseValue)))
            }
        }
    }
}
