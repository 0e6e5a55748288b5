import Foundation
import GRDB
import GRDBSQLite
import MusterCore
@testable import MusterStore
import MusterTesting
import Testing

/// Rows written many to a statement: every row arrives, whether it went in a full statement or
/// in the tail; staged rows read back as the fold wrote them (text, integers, nulls, empty text);
/// and no statement keeps a pointer into the caller's memory once it has run.
@Suite struct BatchedInsertTests {
    static let table = ReadModelTable("rm_t", entity: "t", columns: [
        .init("key"), .init("n", integer: true), .init("note"), .init("blank"),
    ])

    static func rows(_ count: Int) -> [ReadModelRow] {
        (0..<count).map { i in
            let key = ReadModelValue.text(String(format: "k%04d", i))
            let n: ReadModelValue = i % 3 == 0 ? .null : .integer(Int64(i) * -1_000_003)
            let note = ReadModelValue.text(String(repeating: "é\(i)", count: i % 5))
            let blank: ReadModelValue = i % 2 == 0 ? .text("") : .null
            return ReadModelRow("rm_t", [key, n, note, blank])
        }
    }

    /// Writes `rows` through a batch of `perStatement` rows per statement; returns what the table holds.
    static func roundTrip(_ rows: [ReadModelRow], perStatement: Int, variableLimit: Int32? = nil) throws -> [ReadModelRow] {
        let dir = try TemporaryDirectory()
        let queue = try DatabaseQueue(path: dir.url.appendingPathComponent("t.sqlite").path)
        let staged = StagedRows.encode(rows, tables: [table])
        try queue.write { db in
            if let variableLimit { sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_VARIABLE_NUMBER, variableLimit) }
            try db.execute(sql: "CREATE TABLE rm_t (key TEXT, n INTEGER, note TEXT, blank TEXT, PRIMARY KEY (key)) WITHOUT ROWID")
            var batch = try BatchedInsert<UnsafeRawBufferPointer>(db, "INSERT", into: "rm_t", columns: 4, perStatement: perStatement) { row, b in
                StagedRows.bind(row, to: &b)
            }
            try staged.withUnsafeBytes { bytes in
                try StagedRows.forEachRow(bytes, tables: [table]) { index, row in
                    #expect(index == 0)
                    try batch.add(row)
                }
                try batch.finish()
            }
        }
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT key, n, note, blank FROM rm_t ORDER BY key").map { row in
                ReadModelRow("rm_t", (0..<4).map { i -> ReadModelValue in
                    switch (row[i] as DatabaseValue).storage {
                    case .int64(let n): .integer(n)
                    case .string(let s): .text(s)
                    default: .null
                    }
                })
            }
        }
    }

    @Test(arguments: [1, 4, 64])
    func everyRowArrivesThroughFullStatementsAndTheTail(perStatement: Int) throws {
        let rows = Self.rows(2 * 64 + 5)   // two full statements of 64 and a tail of 5, or all full
        #expect(try Self.roundTrip(rows, perStatement: perStatement) == rows)
    }

    /// Rows larger than the encoder's block of zeros (4 KB) are staged as the others are.
    @Test func rowsLargerThanTheZeroBlockReadBack() throws {
        var rows = Self.rows(6)
        rows[2] = ReadModelRow("rm_t", [.text("k0002"), .integer(7), .text(String(repeating: "ab\u{e9}", count: 3_000)), .null])
        rows[4] = ReadModelRow("rm_t", [.text("k0004"), .null, .text(String(repeating: "x", count: 4_083)), .text("")])
        #expect(try Self.roundTrip(rows, perStatement: 4) == rows)
    }

    /// A SQLite that allows fewer parameters per statement than 64 rows need gets fewer rows a statement.
    @Test func aLowParameterLimitMakesSmallerStatements() throws {
        let rows = Self.rows(29)
        #expect(try Self.roundTrip(rows, perStatement: 64, variableLimit: 10) == rows)   // 2 rows of 4 columns a statement
    }

    @Test func aCutShortStagedRowIsRefused() throws {
        let staged = StagedRows.encode(Self.rows(2), tables: [Self.table])
        let cut = Array(staged.dropLast(3))
        #expect(throws: StoreError.self) {
            try cut.withUnsafeBytes { bytes in try StagedRows.forEachRow(bytes, tables: [Self.table]) { _, _ in } }
        }
        var wrongTable = staged
        wrongTable[0] = 7
        #expect(throws: StoreError.self) {
            try wrongTable.withUnsafeBytes { bytes in try StagedRows.forEachRow(bytes, tables: [Self.table]) { _, _ in } }
        }
    }

    @Test func aStatementKeepsNoBorrowedValueOnceItHasRun() throws {
        let dir = try TemporaryDirectory()
        let queue = try DatabaseQueue(path: dir.url.appendingPathComponent("t.sqlite").path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE b (t TEXT, x BLOB)")
            let insert = try BoundStatement(db, "INSERT INTO b VALUES (?, ?)")
            let text = Array("in place".utf8), blob: [UInt8] = [1, 2, 3]
            _ = try text.withUnsafeBytes { t in try blob.withUnsafeBytes { x in try insert.execute { $0.text(utf8: t); $0.blob(x) } } }
            // The same cached statement, run again with nothing bound, inserts NULLs: the values
            // bound in place were unbound when the first run ended.
            let cached = try db.cachedStatement(sql: "INSERT INTO b VALUES (?, ?)")
            #expect(sqlite3_step(cached.sqliteStatement) == SQLITE_DONE)
            sqlite3_reset(cached.sqliteStatement)
            // Nor when binding fails half way: the text bound in place before the throw is unbound.
            struct Refused: Error {}
            #expect(throws: Refused.self) {
                try text.withUnsafeBytes { t in try insert.execute { $0.text(utf8: t); throw Refused() } }
            }
            #expect(sqlite3_step(cached.sqliteStatement) == SQLITE_DONE)
            sqlite3_reset(cached.sqliteStatement)
            let stored = try Row.fetchAll(db, sql: "SELECT t, x FROM b ORDER BY rowid")
            #expect(stored.count == 3)
            #expect(stored[0]["t"] as String? == "in place")
            #expect(stored[0]["x"] as Data? == Data([1, 2, 3]))
            for row in stored.dropFirst() {
                #expect(row["t"] as String? == nil)
                #expect(row["x"] as Data? == nil)
            }
        }
    }
}
