import Foundation
import HeapModule

/// An external merge sort of a rebuild's staged facts by (entity, arrival): facts are collected in
/// memory, sorted in runs of at most ``runBytes``, each run appended to one unlinked temporary
/// file, and the runs merged back in order. Memory stays bounded whatever the log's size; every
/// staged byte is written once and read once.
///
/// A sorter is used by one thread at a time (a rebuild fills its sorters side by side, each on
/// one thread, and waits for them all): hence `@unchecked Sendable`.
final class FactSorter: @unchecked Sendable {
    /// One staged fact.
    struct Record {
        /// The entity, as the fact table keys it (`kind/key`), in UTF-8.
        var entity: [UInt8]
        var arrival: Int64
        /// The entry's 16-byte event id.
        var eventID: [UInt8]
        /// The rows the entity folds into if this is its only fact (``StagedRows``).
        var rows: [UInt8]

        /// The entity's first sixteen bytes as two big-endian words (zero-padded), so most
        /// comparisons are two integer comparisons.
        let prefix: (UInt64, UInt64)

        init(entity: [UInt8], arrival: Int64, eventID: [UInt8], rows: [UInt8]) {
            self.entity = entity; self.arrival = arrival; self.eventID = eventID; self.rows = rows
            var words: (UInt64, UInt64) = (0, 0)
            for (i, byte) in entity.prefix(16).enumerated() {
                if i < 8 { words.0 |= UInt64(byte) << (56 - 8 * i) } else { words.1 |= UInt64(byte) << (56 - 8 * (i - 8)) }
            }
            prefix = words
        }

        var size: Int { entity.count + rows.count + 16 + 30 }

        /// SQLite's order for the fact table's key: entity bytes, then arrival.
        static func precedes(_ a: Record, _ b: Record) -> Bool {
            if a.prefix.0 != b.prefix.0 { return a.prefix.0 < b.prefix.0 }
            if a.prefix.1 != b.prefix.1 { return a.prefix.1 < b.prefix.1 }
            let c = a.entity.withUnsafeBytes { x in
                b.entity.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, min(x.count, y.count)) }
            }
            if c != 0 { return c < 0 }
            if a.entity.count != b.entity.count { return a.entity.count < b.entity.count }
            return a.arrival < b.arrival
        }
    }

    /// Bytes of records sorted in memory before a run is written.
    let runBytes: Int
    private let fd: Int32
    private var buffer: [Record] = []
    private var buffered = 0
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

    func add(_ record: Record) throws {
        buffer.append(record)
        buffered += record.size
        count += 1
        if buffered >= runBytes { try flush() }
    }

    /// The buffer's order, sorted by plain integers where the prefixes differ.
    private func order() -> [Int] {
        struct Key { let p0: UInt64, p1: UInt64, index: Int }
        var keys = buffer.indices.map { Key(p0: buffer[$0].prefix.0, p1: buffer[$0].prefix.1, index: $0) }
        keys.sort { a, b in
            if a.p0 != b.p0 { return a.p0 < b.p0 }
            if a.p1 != b.p1 { return a.p1 < b.p1 }
            return Record.precedes(buffer[a.index], buffer[b.index])
        }
        return keys.map(\.index)
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        var out: [UInt8] = []
        out.reserveCapacity(min(buffered, 1 << 20) + 64)
        let start = written
        for i in order() {
            let r = buffer[i]
            Self.put(UInt32(r.entity.count), &out); out.append(contentsOf: r.entity)
            Self.put(UInt64(bitPattern: r.arrival), &out)
            out.append(contentsOf: r.eventID)
            Self.put(UInt32(r.rows.count), &out); out.append(contentsOf: r.rows)
            if out.count >= 1 << 20 { try write(&out) }
        }
        try write(&out)
        runs.append(start..<written)
        buffer.removeAll(keepingCapacity: true)
        buffered = 0
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
            return Merge(memory: order().map { buffer[$0] })
        }
        try flush()
        return try Merge(fd: fd, runs: runs)
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
