import Foundation
import GRDB
import MusterCore

/// Where one projection's tables live: its read-model tables plus its facts and voids, either
/// live or being built (suffix `__build`), and their CREATE and RENAME statements.
struct ProjectionTables {
    static let buildSuffix = "__build"
    let projection: any Projection
    let suffix: String

    var base: String { "pj_" + projection.name.replacingOccurrences(of: "-", with: "_") }
    var fact: String { base + "_fact" + suffix }
    var void: String { base + "_void" + suffix }
    func table(_ t: ReadModelTable) -> String { t.name + suffix }
    /// Every table's name without suffix.
    var baseNames: [String] { [base + "_fact", base + "_void"] + projection.tables.map(\.name) }

    func create(_ db: Database, generation: Int64) throws {
        for name in baseNames { try db.execute(sql: "DROP TABLE IF EXISTS \(name + suffix)") }
        // Facts are appended in arrival order; their indexes are made once loaded (a sort is much
        // cheaper than a million random B-tree inserts), by ``createFactIndexes(_:generation:)``.
        try db.execute(sql: """
            CREATE TABLE \(fact) (
                entity TEXT NOT NULL, key TEXT NOT NULL, wall INTEGER NOT NULL, cnt INTEGER NOT NULL,
                origin TEXT NOT NULL, event_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL,
                subject TEXT, recorded_at INTEGER NOT NULL, payload BLOB NOT NULL
            );
            CREATE TABLE \(void) (target TEXT PRIMARY KEY, void_id TEXT NOT NULL) WITHOUT ROWID;
            """)
        for t in projection.tables {
            let columns = t.columns.map { "\($0.name) \($0.isInteger ? "INTEGER" : "TEXT")" }.joined(separator: ", ")
            try db.execute(sql: """
                CREATE TABLE \(table(t)) (\(columns), PRIMARY KEY (\(t.primaryKey.joined(separator: ", ")))) WITHOUT ROWID
                """)
        }
    }

    /// The fact table's indexes: the fold order per entity (unique, so re-applying an entry is a
    /// no-op) and the event id (to find what a void voids). Names carry the build generation, so
    /// they never collide with the live table's.
    func createFactIndexes(_ db: Database, generation: Int64) throws {
        try db.execute(sql: """
            CREATE UNIQUE INDEX \(base)_fact_order_g\(generation) ON \(fact)(entity, key, wall, cnt, origin, event_id);
            CREATE INDEX \(base)_fact_event_g\(generation) ON \(fact)(event_id);
            """)
    }

    /// Drops the live tables and renames the built ones in their place.
    func swapIn(_ db: Database) throws {
        precondition(suffix == Self.buildSuffix)
        for name in baseNames {
            try db.execute(sql: "DROP TABLE IF EXISTS \(name)")
            try db.execute(sql: "ALTER TABLE \(name + suffix) RENAME TO \(name)")
        }
    }

    func drop(_ db: Database) throws {
        for name in baseNames { try db.execute(sql: "DROP TABLE IF EXISTS \(name + suffix)") }
    }
}

extension ReadModelValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let n): n.databaseValue
        case .text(let s): s.databaseValue
        }
    }

    init(_ value: DatabaseValue) {
        switch value.storage {
        case .int64(let n): self = .integer(n)
        case .string(let s): self = .text(s)
        case .double(let d): self = .integer(Int64(d))
        case .blob, .null: self = .null
        }
    }
}
