import GRDB
import GRDBSQLite
import MusterCore

/// A statement prepared once and run many times with its values bound straight through SQLite's
/// C API: for the read models' bulk writes, where building GRDB's `StatementArguments` for every
/// row costs more than the row's insert. Only this type steps the statement.
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

        mutating func integer(_ n: Int64) { sqlite3_bind_int64(handle, index, n); index += 1 }

        mutating func text(_ s: String?) {
            guard var s else { null(); return }
            s.withUTF8 { text(utf8: UnsafeRawBufferPointer($0)) }
        }

        /// Text from UTF-8 bytes.
        mutating func text(utf8 bytes: UnsafeRawBufferPointer) {
            if let base = bytes.baseAddress {
                _ = sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
            } else { _ = sqlite3_bind_text(handle, index, "", 0, Self.transient) }
            index += 1
        }

        mutating func blob(_ bytes: UnsafeRawBufferPointer) {
            // A zero-length blob is bound as an empty blob, not NULL.
            _ = sqlite3_bind_blob(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count), Self.transient)
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
    }

    /// Binds with `bind` and runs the statement to completion; returns the rows it changed.
    @discardableResult
    func execute(_ bind: (inout Binder) throws -> Void) throws -> Int {
        var binder = Binder(handle: handle)
        try bind(&binder)
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            let message = db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) }
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        return Int(sqlite3_changes(db.sqliteConnection))
    }
}
