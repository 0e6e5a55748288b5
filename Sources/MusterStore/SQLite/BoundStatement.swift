import GRDB
import GRDBSQLite
import MusterCore

/// A statement prepared once and run many times with its values bound straight through SQLite's
/// C API: for the read models' bulk writes, where building GRDB's `StatementArguments` for every
/// row costs more than the row's insert, and for reading many rows' blobs in place (GRDB wraps
/// each in `Data` before it can be copied). Only this type steps the statement.
struct BoundStatement {
    private let statement: Statement
    private let handle: OpaquePointer
    private let db: Database

    /// The statement for `sql`, compiled once per connection (from GRDB's statement cache).
    init(_ db: Database, _ sql: String) throws {
        self.db = db
        statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
    }

    /// Binds values in parameter order.
    struct Binder {
        fileprivate let handle: OpaquePointer
        fileprivate var index: Int32 = 1
        /// Whether a value was bound in place (``borrowed``), so must be unbound after the run.
        fileprivate var borrows = false

        mutating func integer(_ n: Int64) { sqlite3_bind_int64(handle, index, n); index += 1 }

        /// Text, copied by SQLite (the string's UTF-8 may be a temporary).
        mutating func text(_ s: String?) {
            guard var s else { null(); return }
            s.withUTF8 { text(UnsafeRawBufferPointer($0), Self.transient) }
        }

        /// Text from UTF-8 bytes, which must stay valid until ``execute(_:)`` returns: SQLite reads
        /// them in place, without a copy.
        mutating func text(utf8 bytes: UnsafeRawBufferPointer) { text(bytes, Self.borrowed) }

        private mutating func text(_ bytes: UnsafeRawBufferPointer, _ destructor: sqlite3_destructor_type?) {
            if let base = bytes.baseAddress {
                _ = sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), destructor)
                if destructor == nil { borrows = true }
            } else { _ = sqlite3_bind_text(handle, index, "", 0, Self.transient) }
            index += 1
        }

        /// A blob, whose bytes must stay valid until ``execute(_:)`` returns (read in place).
        mutating func blob(_ bytes: UnsafeRawBufferPointer) {
            if let base = bytes.baseAddress {
                _ = sqlite3_bind_blob(handle, index, base, Int32(bytes.count), Self.borrowed)
                borrows = true
            } else {
                // A zero-length blob is bound as an empty blob, not NULL.
                _ = sqlite3_bind_zeroblob(handle, index, 0)
            }
            index += 1
        }

        mutating func null() { sqlite3_bind_null(handle, index); index += 1 }

        mutating func value(_ v: ReadModelValue) {
            switch v {
            case .null: null()
            case .integer(let n): integer(n)
            case .text(let s): text(s)
            }
        }

        /// SQLite copies the value before the call returns.
        private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        /// `SQLITE_STATIC`: SQLite reads the value where it is, for as long as it stays bound;
        /// `execute` runs the statement and unbinds every value before it returns.
        private static let borrowed: sqlite3_destructor_type? = nil
    }

    /// Binds with `bind` and runs the statement to completion; returns the rows it changed.
    @discardableResult
    func execute(_ bind: (inout Binder) throws -> Void) throws -> Int {
        var binder = Binder(handle: handle)
        // No pointer into the caller's memory outlives this call in the (cached) statement, not
        // even when binding throws half way.
        defer { if binder.borrows { sqlite3_clear_bindings(handle) } }
        try bind(&binder)
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else { throw error(code) }
        return Int(sqlite3_changes(db.sqliteConnection))
    }

    /// The error SQLite reports for a step that ended with `code`.
    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) },
                      sql: statement.sql)
    }
}

extension BoundStatement {
    /// A result row's columns, read in place: what a blob points at is valid only until the
    /// statement steps on.
    struct Columns {
        fileprivate let handle: OpaquePointer

        func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

        /// A blob's bytes (empty for NULL or a zero-length blob).
        func blob(_ column: Int32) -> UnsafeRawBufferPointer {
            // The pointer first, then the length (SQLite's order for a blob).
            let base = sqlite3_column_blob(handle, column)
            return UnsafeRawBufferPointer(start: base, count: Int(sqlite3_column_bytes(handle, column)))
        }
    }

    /// Binds with `bind`, then calls `row` with each result row's columns; the statement is reset
    /// and unbound before this returns, whatever `row` does.
    func query(_ bind: (inout Binder) throws -> Void, row: (Columns) throws -> Void) throws {
        var binder = Binder(handle: handle)
        defer {
            sqlite3_reset(handle)
            if binder.borrows { sqlite3_clear_bindings(handle) }
        }
        try bind(&binder)
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw error(code) }
            try row(Columns(handle: handle))
        }
    }
}

/// Rows of one table inserted many to a statement, `INSERT … VALUES (…), (…), …`: SQLite then
/// runs its insert program (statement begun, cursor opened, key sought from the root) once per
/// `perStatement` rows rather than once per row, which is most of the cost of a rebuild's million
/// key-ordered inserts. A row is bound only when its statement runs, so whatever `bind` binds in
/// place (``BoundStatement/Binder/text(utf8:)``, ``BoundStatement/Binder/blob(_:)``) must stay
/// valid until then: until the `add` that fills a statement, or ``finish()``.
struct BatchedInsert<Row> {
    private let many: BoundStatement
    /// For what is left at the end: a statement of ``someCount`` rows, and one of one.
    private let some: BoundStatement?
    private let one: BoundStatement
    private let perStatement: Int
    private let bind: (Row, inout BoundStatement.Binder) throws -> Void
    private var pending: [Row] = []
    private static var someCount: Int { 16 }

    /// Inserts into `table`, of `columns` columns, with `verb` (`INSERT`, `INSERT OR REPLACE`).
    init(_ db: Database, _ verb: String, into table: String, columns: Int, perStatement: Int = 256,
         bind: @escaping (Row, inout BoundStatement.Binder) throws -> Void) throws {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        func statement(_ rows: Int) throws -> BoundStatement {
            try BoundStatement(db, "\(verb) INTO \(table) VALUES " + Array(repeating: row, count: rows).joined(separator: ", "))
        }
        // Within this SQLite's limit on parameters per statement (999 in builds before 3.32).
        let limit = db.sqliteConnection.map { Int(sqlite3_limit($0, SQLITE_LIMIT_VARIABLE_NUMBER, -1)) } ?? 999
        let perStatement = max(1, min(perStatement, limit / max(1, columns)))
        many = try statement(perStatement)
        some = perStatement > Self.someCount ? try statement(Self.someCount) : nil
        one = try statement(1)
        self.perStatement = perStatement
        self.bind = bind
        pending.reserveCapacity(perStatement)
    }

    mutating func add(_ row: Row) throws {
        pending.append(row)
        if pending.count == perStatement {
            try many.execute { b in for row in pending { try bind(row, &b) } }
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// Inserts the rows still pending: sixteen to a statement, then one each.
    mutating func finish() throws {
        var at = 0
        if let some {
            while pending.count - at >= Self.someCount {
                try some.execute { b in for row in pending[at..<(at + Self.someCount)] { try bind(row, &b) } }
                at += Self.someCount
            }
        }
        for row in pending[at...] { try one.execute { b in try bind(row, &b) } }
        pending.removeAll(keepingCapacity: true)
    }
}
