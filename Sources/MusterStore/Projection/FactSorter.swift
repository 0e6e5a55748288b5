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
    /// One staged fact, whole: what ``add(_:)-(Record)`` takes and ``FoldChunk/record(_:)`` gives.
    struct Record: Equatable {
        /// The entity, as the fact table keys it (`kind/key`), in UTF-8.
        var entity: [UInt8]
        var arrival: Int64
        /// The entry's 16-byte event id.
        var eventID: [UInt8]
        /// The rows the entity folds into if this is its only fact (``StagedRows``).
        var rows: [UInt8]
    }

    /// An entity's first 24 bytes as three big-endian words, zero-padded: compared as integers,
    /// they order as the bytes do (up to a tie, which the whole entity then breaks).
    struct Prefix: Comparable {
        let w0: UInt64, w1: UInt64, w2: UInt64

        init(_ entity: UnsafeRawBufferPointer) {
            // Most entities (`member/` and a UUID) fill the prefix: three words read as they lie.
            if entity.count >= 24 {
                w0 = UInt64(bigEndian: entity.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
                w1 = UInt64(bigEndian: entity.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                w2 = UInt64(bigEndian: entity.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
                return
            }
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
        // Appended one by one, so the keys grow geometrically: reserving exactly what each slice
        // needed had reallocated and copied the whole run's keys at every slice.
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
        entity(ofRecordIn: UnsafeRawBufferPointer(rebasing: arena[key.offset..<(key.offset + key.length)]))
    }

    /// A record's entity bytes and arrival, read in place from the record's bytes.
    static func entity(ofRecordIn record: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, Int64) {
        let n = Int(UInt32(littleEndian: record.loadUnaligned(as: UInt32.self)))
        let arrival = Int64(bitPattern: UInt64(littleEndian: record.loadUnaligned(fromByteOffset: 4 + n, as: UInt64.self)))
        return (UnsafeRawBufferPointer(rebasing: record[4..<(4 + n)]), arrival)
    }

    /// A record's bytes besides its entity and rows: the two lengths, the arrival, the event id.
    static let recordOverhead = 4 + 8 + 16 + 4

    /// Where a record's rows' length lies, given its entity's length.
    static func rowsLengthOffset(entityCount: Int) -> Int { 4 + entityCount + 8 + 16 }

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

    /// Every record added, in order; the sorter is spent after.
    func sorted() throws -> Merge {
        if runs.isEmpty {
            // Everything fits in one run: no file needed. The records are copied in order
            // straight into the reader's buffer.
            let sorted = order()
            let reader = buffer.bytes.withUnsafeBytes { arena in
                RunReader(count: arena.count) { run in
                    var at = 0
                    for k in sorted {
                        UnsafeMutableRawBufferPointer(rebasing: run[at..<(at + k.length)])
                            .copyMemory(from: UnsafeRawBufferPointer(rebasing: arena[k.offset..<(k.offset + k.length)]))
                        at += k.length
                    }
                }
            }
            // Staging is over: the run buffer's memory goes back now, not when the sorter does
            // (it had stayed through the fold, 16 MB and its keys for each projection).
            buffer = StagedFacts()
            return try Merge([reader])
        }
        try flush()
        buffer = StagedFacts()
        let each = max(64 << 10, (16 << 20) / runs.count)
        return try Merge(runs.map { RunReader(fd: fd, range: $0, bufferSize: each) })
    }

    /// The runs merged: ``fill(_:facts:)`` takes whole entities' records in (entity, arrival)
    /// order. A record is read in place in its run's buffer and copied once, into the chunk: the
    /// merge allocates nothing per record.
    struct Merge {
        private let readers: [RunReader]
        private var heap = Heap<Head>()

        /// A run's current record, as the heap orders it. `entity` points into the run's buffer,
        /// which does not move until the record is taken.
        private struct Head: Comparable {
            let prefix: Prefix
            let entity: UnsafeRawBufferPointer
            let arrival: Int64
            let run: Int

            static func < (a: Head, b: Head) -> Bool {
                if a.prefix != b.prefix { return a.prefix < b.prefix }
                return FactSorter.precedes(a.entity, a.arrival, b.entity, b.arrival)
            }
            static func == (a: Head, b: Head) -> Bool { !(a < b) && !(b < a) }
        }

        fileprivate init(_ readers: [RunReader]) throws {
            self.readers = readers
            for i in readers.indices where try readers[i].advance() { heap.insert(head(i)) }
        }

        private func head(_ run: Int) -> Head {
            let (entity, arrival) = FactSorter.entity(ofRecordIn: readers[run].record)
            return Head(prefix: Prefix(entity), entity: entity, arrival: arrival, run: run)
        }

        /// Replaces `chunk`'s contents with the next whole entities, until it holds at least
        /// `facts` records or every record is taken; false when none was left.
        mutating func fill(_ chunk: inout FoldChunk, facts: Int) throws -> Bool {
            chunk.removeAll()
            while let top = heap.min {
                let sameEntity = chunk.isLastEntity(top.entity)
                if !sameEntity && chunk.recordCount >= facts { break }
                _ = heap.popMin()
                chunk.append(readers[top.run].record, startsEntity: !sameEntity)
                if try readers[top.run].advance() { heap.insert(head(top.run)) }
            }
            return chunk.recordCount > 0
        }
    }

    /// Reads one run through a buffer of its own, a whole record at a time. A class, so that the
    /// merge's heap can point into its buffer.
    fileprivate final class RunReader {
        private let fd: Int32
        private var offset: Int64
        private let end: Int64
        private var storage: UnsafeMutableRawBufferPointer
        /// Bytes of `storage` read so far.
        private var filled = 0
        /// The current record's start and length (no record before the first advance and after the last).
        private var at = 0
        private var length = 0

        init(fd: Int32, range: Range<Int64>, bufferSize: Int) {
            self.fd = fd; offset = range.lowerBound; end = range.upperBound
            storage = .allocate(byteCount: max(bufferSize, 64), alignment: 8)
        }

        /// A run of `count` bytes held in memory, which `write` fills.
        init(count: Int, _ write: (UnsafeMutableRawBufferPointer) -> Void) {
            fd = -1; offset = 0; end = 0
            storage = .allocate(byteCount: max(count, 64), alignment: 8)
            write(UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]))
            filled = count
        }

        deinit { storage.deallocate() }

        /// The current record's bytes, valid until the next ``advance()``.
        var record: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[at..<(at + length)]) }

        /// Moves to the next record, reading on as needed; false at the run's end.
        func advance() throws -> Bool {
            at += length
            length = 0
            if filled == at && offset == end { return false }
            try need(4)
            let e = Int(UInt32(littleEndian: storage.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
            try need(FactSorter.recordOverhead + e)
            let r = Int(UInt32(littleEndian: storage.loadUnaligned(fromByteOffset: at + FactSorter.rowsLengthOffset(entityCount: e), as: UInt32.self)))
            try need(FactSorter.recordOverhead + e + r)
            length = FactSorter.recordOverhead + e + r
            return true
        }

        /// Makes `n` bytes from `at` available: what is left moves to the buffer's start (into a
        /// larger buffer if one record needs it) and the run is read on behind it.
        private func need(_ n: Int) throws {
            if filled - at >= n { return }
            let left = filled - at
            if n > storage.count {
                let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(n, storage.count * 2), alignment: 8)
                larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[at..<filled]))
                storage.deallocate()
                storage = larger
            } else if at > 0 {
                UnsafeMutableRawBufferPointer(rebasing: storage[0..<left]).copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[at..<filled]))
            }
            at = 0
            filled = left
            let want = min(storage.count - filled, Int(end - offset))
            guard filled + want >= n else { throw StoreError(.corrupt, "a replay's temporary file is cut short") }
            var done = 0
            while done < want {
                let got = pread(fd, storage.baseAddress! + filled + done, want - done, off_t(offset + Int64(done)))
                guard got > 0 else {
                    throw StoreError(.dataDirectory, "cannot read a replay's temporary file: \(String(cString: strerror(errno)))")
                }
                done += got
            }
            filled += want
            offset += Int64(want)
        }
    }
}

/// Whole entities' staged records, end to end in the run file's format, as the merge takes them
/// for one fold transaction: one buffer, which the fold's statements bind from in place.
struct FoldChunk {
    /// The records' bytes.
    private(set) var bytes: [UInt8] = []
    /// Where each record starts in `bytes`.
    private var starts: [Int] = []
    /// Each entity's records, as a range of record indices.
    private(set) var entities: [Range<Int>] = []

    var recordCount: Int { starts.count }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        entities.removeAll(keepingCapacity: true)
    }

    /// Whether `entity` is the last record's entity.
    fileprivate func isLastEntity(_ entity: UnsafeRawBufferPointer) -> Bool {
        guard let start = starts.last else { return false }
        return bytes.withUnsafeBytes { arena in
            let (last, _) = FactSorter.entity(ofRecordIn: UnsafeRawBufferPointer(rebasing: arena[start...]))
            return last.count == entity.count && (last.isEmpty || memcmp(last.baseAddress!, entity.baseAddress!, last.count) == 0)
        }
    }

    fileprivate mutating func append(_ record: UnsafeRawBufferPointer, startsEntity: Bool) {
        let start = bytes.count
        bytes.append(contentsOf: record)
        if startsEntity {
            entities.append(starts.count..<(starts.count + 1))
        } else {
            entities[entities.count - 1] = entities[entities.count - 1].lowerBound..<(starts.count + 1)
        }
        starts.append(start)
    }

    /// One record's parts, pointing into the chunk's bytes.
    struct View {
        let entity: UnsafeRawBufferPointer
        let arrival: Int64
        let eventID: UnsafeRawBufferPointer
        let rows: UnsafeRawBufferPointer
    }

    /// Record `i`'s parts, read in place in `arena`, the memory of ``bytes``.
    func view(_ i: Int, in arena: UnsafeRawBufferPointer) -> View {
        let start = starts[i]
        let record = UnsafeRawBufferPointer(rebasing: arena[start..<(i + 1 < starts.count ? starts[i + 1] : arena.count)])
        let (entity, arrival) = FactSorter.entity(ofRecordIn: record)
        let rowsLength = FactSorter.rowsLengthOffset(entityCount: entity.count)
        return View(entity: entity, arrival: arrival, eventID: UnsafeRawBufferPointer(rebasing: record[(rowsLength - 16)..<rowsLength]),
                    rows: UnsafeRawBufferPointer(rebasing: record[(rowsLength + 4)...]))
    }

    /// Record `i`, copied out.
    func record(_ i: Int) -> FactSorter.Record {
        bytes.withUnsafeBytes { arena in
            let v = view(i, in: arena)
            return FactSorter.Record(entity: Array(v.entity), arrival: v.arrival, eventID: Array(v.eventID), rows: Array(v.rows))
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
