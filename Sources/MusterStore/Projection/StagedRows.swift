import MusterCore

/// The rows one fact folds into on its own, kept beside the fact while a read model is rebuilt:
/// most entities have exactly one fact, and their rows are then written from here without reading
/// or parsing the entry a second time.
///
/// Bytes, per row: the table's index in the projection's `tables` (one byte), then per column a tag
/// byte (0 null, 1 integer, 2 text), then eight little-endian bytes of the integer, or the text's
/// UTF-8 length (four bytes, little-endian) and its bytes.
enum StagedRows {
    static func encode(_ rows: [ReadModelRow], tables: [ReadModelTable]) -> [UInt8] {
        var out: [UInt8] = []
        encode(rows, tables: tables, into: &out)
        return out
    }

    /// Appends the rows' bytes to `out`: each row's size is worked out first, then its bytes are
    /// stored in place (a replay stages a row or two per entry; appending each value's few bytes
    /// as a sequence of its own had been a fifth of staging them).
    static func encode(_ rows: [ReadModelRow], tables: [ReadModelTable], into out: inout [UInt8]) {
        for row in rows {
            guard let index = tables.firstIndex(where: { $0.name == row.table }) else {
                preconditionFailure("a fold wrote to \(row.table), which its projection does not declare")
            }
            var size = 1
            for value in row.values {
                switch value {
                case .null: size += 1
                case .integer: size += 9
                case .text(let s): size += 5 + s.utf8.count
                }
            }
            var at = out.count
            grow(&out, by: size)
            out.withUnsafeMutableBytes { buffer in
                buffer[at] = UInt8(index); at += 1
                for value in row.values {
                    switch value {
                    case .null:
                        buffer[at] = 0; at += 1
                    case .integer(let n):
                        buffer[at] = 1
                        buffer.storeBytes(of: n.littleEndian, toByteOffset: at + 1, as: Int64.self)
                        at += 9
                    case .text(var s):
                        buffer[at] = 2
                        let count = s.withUTF8 { utf8 in
                            UnsafeMutableRawBufferPointer(rebasing: buffer[(at + 5)...]).copyMemory(from: UnsafeRawBufferPointer(utf8))
                            return utf8.count
                        }
                        buffer.storeBytes(of: UInt32(count).littleEndian, toByteOffset: at + 1, as: UInt32.self)
                        at += 5 + count
                    }
                }
            }
        }
    }

    /// Appends `count` zero bytes to `out`, copied from a zeroed block where they fit in it (as
    /// a sequence of their own, each byte had been appended in turn).
    @inline(__always)
    private static func grow(_ out: inout [UInt8], by count: Int) {
        if count <= zeros.count {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: zeros[..<count]))
        } else {
            out.append(contentsOf: repeatElement(0, count: count))
        }
    }

    /// Zeros, never written after they are made.
    nonisolated(unsafe) private static let zeros: UnsafeRawBufferPointer = {
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        block.initializeMemory(as: UInt8.self, repeating: 0)
        return UnsafeRawBufferPointer(block)
    }()

    /// Walks the rows in `bytes`, checking that each is whole: for each, its table's index and its
    /// values' bytes, for ``bind(_:to:)``.
    static func forEachRow(_ bytes: UnsafeRawBufferPointer, tables: [ReadModelTable],
                           _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        var at = 0
        func need(_ n: Int) throws(StoreError) {
            guard at + n <= bytes.count else { throw StoreError(.corrupt, "a staged read-model row is cut short") }
        }
        while at < bytes.count {
            let index = Int(bytes[at]); at += 1
            guard index < tables.count else { throw StoreError(.corrupt, "a staged read-model row names table \(index)") }
            let start = at
            for _ in tables[index].columns {
                try need(1)
                let tag = bytes[at]; at += 1
                switch tag {
                case 0: break
                case 1: try need(8); at += 8
                case 2:
                    try need(4)
                    let n = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
                    at += 4
                    try need(n)
                    at += n
                default: throw StoreError(.corrupt, "a staged read-model value has tag \(tag)")
                }
            }
            try body(index, UnsafeRawBufferPointer(rebasing: bytes[start..<at]))
        }
    }

    /// Binds one row's values (as ``forEachRow(_:tables:_:)`` gives them), in column order, text
    /// in place: the bytes must stay valid until the statement has run.
    static func bind(_ row: UnsafeRawBufferPointer, to b: inout BoundStatement.Binder) {
        var at = 0
        while at < row.count {
            let tag = row[at]; at += 1
            switch tag {
            case 1:
                b.integer(Int64(littleEndian: row.loadUnaligned(fromByteOffset: at, as: Int64.self)))
                at += 8
            case 2:
                let n = Int(UInt32(littleEndian: row.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
                b.text(utf8: UnsafeRawBufferPointer(rebasing: row[(at + 4)..<(at + 4 + n)]))
                at += 4 + n
            default: b.null()
            }
        }
    }
}
