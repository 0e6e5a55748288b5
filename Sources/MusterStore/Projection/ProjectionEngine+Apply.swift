import Foundation
import GRDB
import MusterCore

extension ProjectionEngine {
    /// Applies entries to a projection's tables: facts, voids and tallies, then re-folds every
    /// entity they touched from all its facts (read from the entries they name, voided ones left
    /// out) and replaces its rows. ``plan(_:_:_:limit:)`` and ``write(_:_:)`` in one transaction.
    static func apply(_ db: Database, _ t: ProjectionTables, _ entries: [Arrived], limit: ReplayLimit?) throws {
        try write(db, plan(db, t, entries, limit: limit))
    }

    /// What applying a batch of entries changes in one projection's tables. It is worked out
    /// from a snapshot (a read transaction), so that the writer, which the log's commits need,
    /// is held only to write it.
    struct AppliedBatch {
        let t: ProjectionTables
        var facts: [(ent: String, arrival: Int64)] = []
        var voids: [(target: [UInt8], id: String)] = []
        var tallies = Tallies()
        /// Each re-folded entity, in key order: whether it may have rows already, and its rows.
        var entities: [(key: FactKey, replaced: Bool, rows: [ReadModelRow])] = []
    }

    /// Works out, from what `db` holds, what applying `entries` changes in `t`'s tables.
    static func plan(_ db: Database, _ t: ProjectionTables, _ entries: [Arrived], limit: ReplayLimit?) throws -> AppliedBatch {
        let p = t.projection
        var batch = AppliedBatch(t: t)
        var known: [Int64: Envelope] = [:]   // the entries at hand, by arrival
        var dirty = Set<String>()            // entities to re-fold
        var added: [String: [Int64]] = [:]   // per entity, its facts from this batch that no void names
        var voidedHere = Set<String>()       // the event ids this batch voids
        var tallied: [Envelope] = []          // the entries admitted, for the tallies
        let anyVoids = try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM \(t.void))")) ?? false
        let isVoided = try db.cachedStatement(sql: "SELECT 1 FROM \(t.void) WHERE target = ?")
        for a in entries {
            let e = a.envelope
            if let limit, !limit.admits(arrival: a.arrival, e) { continue }
            if let target = Projections.voidTarget(e) {
                let targetBytes = SQLiteLogStore.eventIDBytes(target)
                batch.voids.append((targetBytes, e.id.text))
                voidedHere.insert(target)
                // The entities the voided entry is a fact about are re-folded without it.
                if let voided = try Row.fetchOne(db.cachedStatement(sql: "SELECT arrival, bytes FROM entry WHERE event_id = ?"),
                                                 arguments: [Data(targetBytes)]) {
                    let envelope = try Entry.decode(stored: Array(voided["bytes"] as Data)).envelope
                    known[voided["arrival"]] = envelope
                    for key in p.route(envelope) { dirty.insert(ProjectionTables.entity(key)) }
                }
            }
            tallied.append(e)
            let keys = p.route(e)
            if keys.isEmpty { continue }
            known[a.arrival] = e
            // An entry voided by a void that arrived before it is a fact, but not a live one.
            let live = try !anyVoids || Bool.fetchOne(isVoided, arguments: [SQLiteLogStore.eventIDBlob(e.id)]) == nil
            for key in keys {
                let ent = ProjectionTables.entity(key)
                dirty.insert(ent)
                batch.facts.append((ent, a.arrival))
                if live { added[ent, default: []].append(a.arrival) }
            }
        }
        batch.tallies.add(p.tally(tallied))
        guard !dirty.isEmpty else { return batch }

        // Every stored fact of each dirty entity (one lookup of a statement compiled once per
        // connection), and whether a stored void names its entry.
        let factsOfEntity = try db.cachedStatement(sql: anyVoids
            ? """
              SELECT f.arrival, EXISTS (SELECT 1 FROM \(t.void) v WHERE v.target = e.event_id)
              FROM \(t.fact) f CROSS JOIN entry e ON e.arrival = f.arrival WHERE f.ent = ?
              """
            : "SELECT arrival, 0 FROM \(t.fact) WHERE ent = ?")
        let order = dirty.sorted()
        var liveOf: [[Int64]] = []
        var replaced: [Bool] = []
        var missing = Set<Int64>()
        for ent in order {
            var stored = 0
            var live = added[ent] ?? []
            let rows = try Row.fetchCursor(factsOfEntity, arguments: [ent])
            while let row = try rows.next() {
                stored += 1
                if row[1] as Bool { continue }
                let arrival: Int64 = row[0]
                if known[arrival] == nil { missing.insert(arrival) }
                live.append(arrival)
            }
            // An entity with stored facts may have rows; one without has none yet.
            replaced.append(stored > 0)
            liveOf.append(live)
        }
        // Facts that arrived in earlier batches are read back from their entries.
        if !missing.isEmpty {
            known.merge(try storedEnvelopes(db, at: Array(missing))) { held, _ in held }
        }

        let envelopes = known, voids = voidedHere
        let folded = try Parallel.mapChunked(Array(zip(order, liveOf)), minimum: 512) { ent, arrivals -> (FactKey, [ReadModelRow]) in
            let key = try ProjectionTables.factKey(ent)
            // A fact re-applied is both stored and in this batch: it counts once.
            let facts = Set(arrivals).sorted().map { envelopes[$0]! }
            let live = voids.isEmpty ? facts : facts.filter { !voids.contains($0.id.text) }
            // Every fact voided: the entity has no rows, as a rebuild gives (it folds only
            // entities with a live fact), whatever a projection's fold makes of no facts.
            return (key, live.isEmpty ? [] : fold(p, key, live))
        }
        batch.entities = zip(folded, replaced).map { (key: $0.0, replaced: $1, rows: $0.1) }
        return batch
    }

    /// Writes what ``plan(_:_:_:limit:)`` worked out.
    static func write(_ db: Database, _ batch: AppliedBatch) throws {
        let t = batch.t
        let insertFact = try BoundStatement(db, "INSERT OR IGNORE INTO \(t.fact)(ent, arrival) VALUES (?, ?)")
        for (ent, arrival) in batch.facts { _ = try insertFact.execute { $0.text(ent); $0.integer(arrival) } }
        if !batch.voids.isEmpty {
            let insertVoid = try BoundStatement(db, "INSERT OR IGNORE INTO \(t.void)(target, void_id) VALUES (?, ?)")
            for (target, id) in batch.voids {
                _ = try target.withUnsafeBytes { bytes in try insertVoid.execute { $0.blob(bytes); $0.text(id) } }
            }
        }
        try batch.tallies.write(db, t)
        guard !batch.entities.isEmpty else { return }
        let writer = try RowWriter(db, t)
        for (key, replaced, rows) in batch.entities {
            if replaced { try writer.clear(key) }
            try writer.insert(rows)
        }
    }

    /// The entries at these arrival positions, parsed on every core.
    static func storedEnvelopes(_ db: Database, at arrivals: [Int64]) throws -> [Int64: Envelope] {
        let read = try db.cachedStatement(sql: "SELECT bytes FROM entry WHERE arrival = ?")
        let raw = try arrivals.map { arrival in
            guard let bytes = try Data.fetchOne(read, arguments: [arrival]) else {
                throw StoreError(.corrupt, "a read model's fact names arrival \(arrival), which holds no entry")
            }
            return (arrival, Array(bytes))
        }
        return Dictionary(uniqueKeysWithValues: try decodeInParallel(raw).map { ($0.arrival, $0.envelope) })
    }

    /// An entity's rows from the entries that are its live facts, folded in stamp order.
    static func fold(_ p: any Projection, _ key: FactKey, _ entries: [Envelope]) -> [ReadModelRow] {
        p.fold(key, facts: entries.map { Fact($0, key: key) }.sorted { $0.stamp < $1.stamp })
    }

    /// Writes read-model rows, and clears an entity's rows before they are replaced.
    struct RowWriter {
        let t: ProjectionTables
        private var inserts: [String: BoundStatement] = [:]
        private var deletes: [String: [BoundStatement]] = [:]   // by entity kind

        init(_ db: Database, _ t: ProjectionTables) throws {
            self.t = t
            for table in t.projection.tables where table.entity != nil {
                inserts[table.name] = try BoundStatement(db, """
                    INSERT OR REPLACE INTO \(t.table(table)) VALUES (\(table.columns.map { _ in "?" }.joined(separator: ", ")))
                    """)
                deletes[table.entity!, default: []].append(try BoundStatement(db, "DELETE FROM \(t.table(table)) WHERE key = ?"))
            }
        }

        func clear(_ key: FactKey) throws {
            for delete in deletes[key.entity] ?? [] { try delete.execute { $0.text(key.key) } }
        }

        func insert(_ rows: [ReadModelRow]) throws {
            for row in rows {
                guard let insert = inserts[row.table] else {
                    throw StoreError(.corrupt, "projection \(t.projection.name) wrote to unknown table \(row.table)")
                }
                try insert.execute { b in for v in row.values { b.value(v) } }
            }
        }
    }

    /// Tally contributions combined per row, then added to the stored rows.
    struct Tallies: Sendable {
        private struct RowKey: Hashable, Sendable {
            let table: String
            let key: String
        }
        private var byRow: [RowKey: ReadModelTally] = [:]

        /// Adds what another set holds.
        mutating func add(_ other: Tallies) { add(Array(other.byRow.values)) }

        /// Combines each tally into its row's, in place (a replay adds one per entry).
        mutating func add(_ tallies: [ReadModelTally]) {
            for tally in tallies {
                let k = RowKey(table: tally.table, key: tally.key)
                if byRow[k] == nil { byRow[k] = tally } else { Self.merge(&byRow[k]!, tally) }
            }
        }

        /// The combined tallies, by table and key.
        var rows: [ReadModelTally] { byRow.values.sorted(by: { ($0.table, $0.key) < ($1.table, $1.key) }) }

        func write(_ db: Database, _ t: ProjectionTables) throws {
            for tally in rows { try Self.upsert(db, t, tally) }
        }

        static func merge(_ out: inout ReadModelTally, _ b: ReadModelTally) {
            out.sums.merge(b.sums, uniquingKeysWith: +)
            out.maxima.merge(b.maxima) { x, y in larger(x, y) ? x : y }
            out.minima.merge(b.minima) { x, y in larger(x, y) ? y : x }
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
            let existing = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM \(name) WHERE key = ?"), arguments: [tally.key])
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
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO \(name) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))")
                .execute(arguments: StatementArguments(values.map(\.databaseValue)))
        }
    }
}
