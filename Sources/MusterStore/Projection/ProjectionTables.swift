import Foundation
import GRDB
import MusterCore

/// Where one projection's tables live: its read-model tables plus its facts and voids, either
/// live or being built (suffix `__build`), and their CREATE and RENAME statements.
///
/// A fact is an index row, not a copy of the entry: (entity, arrival) says that the entry at that
/// arrival position is a fact about the entity, and folding reads the entry itself. Entities are
/// kept as one text, `kind/key` (``entity(_:)``), so the fact table's primary key is its only index.
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
    /// A fact key as the fact table stores it: `kind/key` (kinds never hold a slash).
    static func entity(_ key: FactKey) -> String { key.entity + "/" + key.key }

    /// The fact key a stored entity text names.
    static func factKey(_ entity: String) throws(StoreError) -> FactKey {
        guard let slash = entity.firstIndex(of: "/") else { throw StoreError(.corrupt, "a stored fact names entity '\(entity)'") }
        return FactKey(String(entity[..<slash]), String(entity[entity.index(after: slash)...]))
    }

    func create(_ db: Database) throws {
        for name in baseNames { try db.execute(sql: "DROP TABLE IF EXISTS \(name + suffix)") }
        try db.execute(sql: """
            CREATE TABLE \(fact) (ent TEXT NOT NULL, arrival INTEGER NOT NULL, PRIMARY KEY (ent, arrival)) WITHOUT ROWID;
            CREATE TABLE \(void) (target BLOB PRIMARY KEY, void_id TEXT NOT NULL) WITHOUT ROWID;
            """)
        for t in projection.tables {
            let columns = t.columns.map { "\($0.name) \($0.isInteger ? "INTEGER" : "TEXT")" }.joined(separator: ", ")
            try db.execute(sql: """
                CREATE TABLE \(table(t)) (\(columns), PRIMARY KEY (\(t.primaryKey.joined(separator: ", ")))) WITHOUT ROWID
                """)
        }
    }

    /// Whether the live fact table is in this layout (hubs made by older versions kept a copy of
    /// each payload in it; their read models are rebuilt).
    static func isCurrentLayout(_ db: Database, _ t: ProjectionTables) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) > 0 FROM pragma_table_info(?) WHERE name = 'ent'"), arguments: [t.fact]) ?? false
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
