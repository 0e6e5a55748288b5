import Foundation
import HeapModule

/// An external merge sort of a rebuild's staged facts by (entity, arrival): facts are collected in
/// memory, sorted in runs of at most ``runBytes``, each run appended to one unlinked temporary
/// file, and the runs merged back in order. Memory stays bounded whatever the log's size; every
/// staged byte is written once and read once.
///
/// Facts are collected as ``StagedFacts``: records end to end in one buffer, in the run file's
/// format, with a sort key each. A run is the keys sorted and the records copied out in that
/// order, so staging a fact allocates nothing of its own and a run frees one buffer.
///
/// A sorter is used by one thread at a time (a rebuild fills its sorters side by side, each on
/// one thread, and waits for them all): hence `@unchecked Sendable`.
final class FactSorter: @unchecked Sendable {
    /// One staged fact, as the merge yields it.
    struct Record {
        /// The entity, as the fact table keys it (`kind/key`), in UTF-8.
        var entity: [UInt8]
        var arrival: Int64
        /// The entry's 16-byte event id.
        var eventID: [UInt8]
        /// The rows the entity folds into if this is its only fact (``StagedRows``).
        var rows: [UInt8]

        /// The entity's first 24 bytes as three big-endian words (zero-padded), so most
        /// comparisons are integer comparisons.
        let prefix: Prefix

        init(entity: [UInt8], arrival: Int64, eventID: [UInt8], rows: [UInt8]) {
            self.entity = entity; self.arrival = arrival; self.eventID = eventID; self.rows = rows
            prefix = entity.withUnsafeBytes { Prefix($0) }
        }

        /// SQLite's order for the fact table's key: entity bytes, then arrival.
        static func precedes(_ a: Record, _ b: Record) -> Bool {
            if a.prefix != b.prefix { return a.prefix < b.prefix }
            return a.entity.withUnsafeBytes { x in
                b.entity.withUnsafeBytes { y in FactSorter.precedes(x, a.arrival, y, b.arrival) }
            }
        }
    }

    /// An entity's first 24 bytes as three big-endian words, zero-padded: compared as integers,
    /// they order as the bytes do (up to a tie, which the whole entity then breaks).
    struct Prefix: Comparable {
        let w0: UInt64, w1: UInt64, w2: UInt64

        init(_ entity: UnsafeRawBufferPointer) {
            var w: (UInt64, UInt64, UInt64) = (0, 0, 0)
            for i in 0..<min(24, entity.count) {
                let shifted = UInt64(entity[i]) << (56 - 8 * (i % 8))
                switch i / 8 {
                case 0: w.0 |= shifted
                case 1: w.1 |= shifted
                default: w.2 |= shifted
                }
            }
            (w0, w1, w2) = w
        }

        static func < (a: Prefix, b: Prefix) -> Bool {
            if a.w0 != b.w0 { return a.w0 < b.w0 }
            if a.w1 != b.w1 { return a.w1 < b.w1 }
            return a.w2 < b.w2
        }
    }

    /// Entity bytes, then arrival: SQLite's BINARY order of the text, then the integer.
    static func precedes(_ x: UnsafeRawBufferPointer, _ xArrival: Int64, _ y: UnsafeRawBufferPointer, _ yArrival: Int64) -> Bool {
        let n = min(x.count, y.count)
        let c = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
        if c != 0 { return c < 0 }
        if x.count != y.count { return x.count < y.count }
        return xArrival < yArrival
    }

    /// Where a staged record lies in its buffer, with its sort prefix.
    struct Key {
        let prefix: Prefix
        let offset: Int
        let length: Int
    }

    /// Bytes of records sorted in memory before a run is written.
    let runBytes: Int
    private let fd: Int32
    private var buffer = StagedFacts()
    private var runs: [Range<Int64>] = []
    private var written: Int64 = 0
    /// How many records were added.
    private(set) var count = 0

    /// A sorter whose runs go to an unlinked file in `directory`.
    init(directory: String, runBytes: Int = 16 << 20) throws {
        self.runBytes = runBytes
        let path = directory + "/.replay-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).stage"
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(.dataDirectory, "cannot create a replay's temporary file in \(directory): \(String(cString: strerror(errno)))")
        }
        unlink(path)
    }

    deinit { close(fd) }

    /// Adds one record.
    func add(_ record: Record) throws {
        var one = StagedFacts()
        record.eventID.withUnsafeBytes { id in
            one.add(entity: { $0.append(contentsOf: record.entity) }, arrival: record.arrival, eventID: id) { $0.append(contentsOf: record.rows) }
        }
        try add(one)
    }

    /// Adds every record of `staged`, in its order.
    func add(_ staged: StagedFacts) throws {
        let base = buffer.bytes.count
        buffer.bytes.append(contentsOf: staged.bytes)
        buffer.keys.reserveCapacity(buffer.keys.count + staged.keys.count)
        for k in staged.keys { buffer.keys.append(Key(prefix: k.prefix, offset: base + k.offset, length: k.length)) }
        count += staged.keys.count
        if buffer.memory >= runBytes { try flush() }
    }

    /// The buffer's keys, sorted.
    private func order() -> [Key] {
        buffer.bytes.withUnsafeBytes { arena in
            buffer.keys.sorted { a, b in
                if a.prefix != b.prefix { return a.prefix < b.prefix }
                let (x, xa) = Self.entity(of: a, in: arena), (y, ya) = Self.entity(of: b, in: arena)
                return Self.precedes(x, xa, y, ya)
            }
        }
    }

    /// A record's entity bytes and arrival, read in place.
    private static func entity(of key: Key, in arena: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, Int64) {
        let n = Int(UInt32(littleEndian: arena.loadUnaligned(fromByteOffset: key.offset, as: UInt32.self)))
        let arrival = Int64(bitPattern: UInt64(littleEndian: arena.loadUnaligned(fromByteOffset: key.offset + 4 + n, as: UInt64.self)))
        return (UnsafeRawBufferPointer(rebasing: arena[(key.offset + 4)..<(key.offset + 4 + n)]), arrival)
    }

    private func flush() throws {
        guard !buffer.keys.isEmpty else { return }
        var out: [UInt8] = []
        out.reserveCapacity(min(buffer.bytes.count, 1 << 20) + 64)
        let start = written
        let sorted = order()
        try buffer.bytes.withUnsafeBytes { arena in
            for k in sorted {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: arena[k.offset..<(k.offset + k.length)]))
                if out.count >= 1 << 20 { try write(&out) }
            }
        }
        try write(&out)
        runs.append(start..<written)
        buffer.removeAll()
    }

    private func write(_ bytes: inout [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(written)) }
            guard n > 0 else { throw StoreError(.dataDirectory, "cannot write a replay's temporary file: \(String(cString: strerror(errno)))") }
            done += n; written += Int64(n)
        }
        bytes.removeAll(keepingCapacity: true)
    }

    private static func put<T: FixedWidthInteger>(_ v: T, _ out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    /// Every record added, in order; the sorter is spent after.
    func sorted() throws -> Merge {
        if runs.isEmpty {
            // Everything fits in one run: no file needed.
            let sorted = order()
            return Merge(memory: buffer.bytes.withUnsafeBytes { arena in sorted.map { Self.record(of: $0, in: arena) } })
        }
        try flush()
        return try Merge(fd: fd, runs: runs)
    }

    /// A staged record read out of its buffer.
    private static func record(of key: Key, in arena: UnsafeRawBufferPointer) -> Record {
        let (entity, arrival) = Self.entity(of: key, in: arena)
        let id = key.offset + 4 + entity.count + 8
        let rows = id + 16 + 4
        return Record(entity: Array(entity), arrival: arrival, eventID: Array(arena[id..<(id + 16)]),
                      rows: Array(arena[rows..<(key.offset + key.length)]))
    }

    /// The runs merged: ``next()`` yields records in (entity, arrival) order.
    struct Merge {
        private var memory: [Record] = []
        private var position = 0
        private var readers: [RunReader] = []
        private var heap = Heap<Head>()

        private struct Head: Comparable {
            let record: Record
            let run: Int
            static func < (a: Head, b: Head) -> Bool { Record.precedes(a.record, b.record) }
            static func == (a: Head, b: Head) -> Bool { !(a < b) && !(b < a) }
        }

        init(memory: [Record]) { self.memory = memory }

        init(fd: Int32, runs: [Range<Int64>]) throws {
            let each = max(64 << 10, (16 << 20) / max(runs.count, 1))
            readers = runs.map { RunReader(fd: fd, range: $0, bufferSize: each) }
            for i in readers.indices {
                if let r = try readers[i].next() { heap.insert(Head(record: r, run: i)) }
            }
        }

        mutating func next() throws -> Record? {
            if readers.isEmpty {
                guard position < memory.count else { return nil }
                defer { position += 1 }
                return memory[position]
            }
            guard let head = heap.popMin() else { return nil }
            if let r = try readers[head.run].next() { heap.insert(Head(record: r, run: head.run)) }
            return head.record
        }
    }

    /// Reads one run through a buffer.
    private struct RunReader {
        let fd: Int32
        var offset: Int64
        let end: Int64
        let bufferSize: Int
        var buffer: [UInt8] = []
        var at = 0

        init(fd: Int32, range: Range<Int64>, bufferSize: Int) {
            self.fd = fd; offset = range.lowerBound; end = range.upperBound; self.bufferSize = bufferSize
        }

        /// Makes at least `n` bytes available at `at`, or fails at the run's end.
        private mutating func need(_ n: Int) throws -> Bool {
            if buffer.count - at >= n { return true }
            let left = Array(buffer[at...])
            let missing = n - left.count
            let want = min(max(missing, bufferSize), Int(end - offset))
            guard want > 0, want >= missing else { return false }
            var chunk = [UInt8](repeating: 0, count: want)
            let got = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, want, off_t(offset)) }
            guard got == want else {
                throw StoreError(.dataDirectory, "cannot read a replay's temporary file: \(String(cString: strerror(errno)))")
            }
            offset += Int64(got)
            buffer = left + chunk
            at = 0
            return buffer.count >= n
        }

        private mutating func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
            guard try need(MemoryLayout<T>.size) else { throw StoreError(.corrupt, "a replay's temporary file is cut short") }
            let v = buffer.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: T.self)) }
            at += MemoryLayout<T>.size
            return v
        }

        private mutating func bytes(_ n: Int) throws -> [UInt8] {
            guard try need(n) else { throw StoreError(.corrupt, "a replay's temporary file is cut short") }
            defer { at += n }
            return Array(buffer[at..<(at + n)])
        }

        mutating func next() throws -> Record? {
            guard try need(1) else { return nil }
            let entity = try bytes(Int(integer(UInt32.self)))
            let arrival = Int64(bitPattern: try integer(UInt64.self))
            let eventID = try bytes(16)
            let rows = try bytes(Int(integer(UInt32.self)))
            return Record(entity: entity, arrival: arrival, eventID: eventID, rows: rows)
        }
    }
}

/// Facts staged for one sorter, end to end in one buffer in the run file's record format — the
/// entity's UTF-8 length (four bytes, little-endian) and bytes, the arrival (eight), the event id
/// (sixteen), the staged rows' length (four) and bytes — each with its sort key.
struct StagedFacts {
    var bytes: [UInt8] = []
    var keys: [FactSorter.Key] = []

    /// Bytes held, counting the keys.
    var memory: Int { bytes.count + keys.count * MemoryLayout<FactSorter.Key>.stride }

    /// Appends a record whose entity and rows `entity` and `rows` append to the buffer.
    mutating func add(entity: (inout [UInt8]) -> Void, arrival: Int64, eventID: UnsafeRawBufferPointer,
                      rows: (inout [UInt8]) -> Void) {
        precondition(eventID.count == 16, "an event id is 16 bytes")
        let offset = bytes.count
        Self.reserveLength(&bytes)
        entity(&bytes)
        let entityCount = bytes.count - offset - 4
        Self.set(UInt32(entityCount), at: offset, in: &bytes)
        withUnsafeBytes(of: UInt64(bitPattern: arrival).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: eventID)
        let rowsAt = bytes.count
        Self.reserveLength(&bytes)
        rows(&bytes)
        Self.set(UInt32(bytes.count - rowsAt - 4), at: rowsAt, in: &bytes)
        let prefix = bytes.withUnsafeBytes { FactSorter.Prefix(UnsafeRawBufferPointer(rebasing: $0[(offset + 4)..<(offset + 4 + entityCount)])) }
        keys.append(FactSorter.Key(prefix: prefix, offset: offset, length: bytes.count - offset))
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
    }

    private static func reserveLength(_ bytes: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(0)) { bytes.append(contentsOf: $0) }
    }

    private static func set(_ n: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: n.littleEndian, toByteOffset: offset, as: UInt32.self) }
    }
}
