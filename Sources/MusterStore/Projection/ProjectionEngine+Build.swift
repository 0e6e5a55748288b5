import Foundation
import GRDB
import MusterCore
import Synchronization

/// Rebuilding read models from the whole log, in three phases:
///
/// 1. **Stage.** Entries are read in arrival order, a batch at a time, and parsed on every core.
///    Each fact becomes a record: its entity, arrival and event id, and the rows its entity folds
///    into if this is its only fact. Records go to an external sort by (entity, arrival)
///    (``FactSorter``); voids go to the build's void table; tallies are summed in memory (one row
///    per origin).
/// 2. **Fold.** The sorted records are read in entity order. An entity with one live fact takes
///    its staged rows; one with more reads its entries back and folds them. Facts and rows are
///    written in key order, so every B-tree grows at its right edge.
/// 3. **Swap.** As soon as a model's fold is done (beside the folds of the others), the entries
///    that arrived meanwhile are applied, and its file, the model's next generation, is synced
///    and put in place of the live one (``ModelFile``).
extension ProjectionEngine {
    /// What a slice of entries contributes to the projections being built.
    private struct Staged: Sendable {
        /// Per target projection, its facts for that projection's sorter.
        var facts: [StagedFacts]
        /// Each `event.voided` entry's target event id and its own id.
        var voids: [(target: [UInt8], id: String)] = []
        var tallies: [Tallies]
        /// Entries the limit admitted (all of them, with no limit).
        var admitted = 0

        init(projections: Int) {
            facts = Array(repeating: StagedFacts(), count: projections)
            tallies = Array(repeating: Tallies(), count: projections)
        }
    }

    /// - Parameter following: when given, the stage does not stop at the log's end as it was
    ///   when the rebuild began: it waits for the log to grow and stages what arrives until
    ///   `following` is finished (a long pull's entries are staged as they land).
    func rebuildLocked(_ selected: [any Projection], limit: ReplayLimit?,
                       progress: (@Sendable (ReplayProgress) -> Void)?, following: LogFollower? = nil) throws -> ReplayReport {
        let clock = ContinuousClock.now
        let targets = selected.map { ProjectionTables(projection: $0, suffix: ProjectionTables.buildSuffix) }
        let state = try states()
        // Each model is built into a new file of its own (its next generation), put in place of
        // the live one once complete; a build that fails leaves no file behind.
        var started: [ModelFile] = [], built = false
        defer { if !built { for file in started { abandon(file) } } }
        for p in selected { started.append(try startBuild(p)) }
        let files = started
        for (t, file) in zip(targets, files) { try file.write { db in try t.create(db) } }
        let start = try pool.read { db in try Self.lastArrival(db) }
        let generations = selected.map { (state[$0.name]?.generation ?? 0) + 1 }
        let directory = URL(fileURLWithPath: pool.path).deletingLastPathComponent().path
        let sorters = try targets.map { _ in try FactSorter(directory: directory, runBytes: sizes.sortRun) }

        let (read, end) = try stage(targets, files, into: sorters, end: start, limit: limit, progress: progress, following: following)
        // Each model is folded into its own file, so the folds run side by side (each is mostly
        // its file's writer; one at a time, the other core had been idle). Progress counts the
        // facts folded in all of them.
        let folded = Atomic<Int64>(0), facts = Int64(sorters.reduce(0) { $0 + $1.count })
        let report: (@Sendable (Int) -> Void)? = if let progress {
            { @Sendable n in progress(ReplayProgress(phase: "folding", done: folded.add(Int64(n), ordering: .relaxed).newValue, total: facts)) }
        } else { nil }
        // The entries that arrived meanwhile (none for a model built with a limit, which stops at
        // `end`), read and parsed once for every model: a model swapped in later reads only what
        // arrived after the last read.
        let arrived = Mutex<[Arrived]>([])
        _ = try Parallel.mapBlocking(Array(targets.indices)) { i in
            try self.fold(targets[i], files[i], sorters[i], folded: report)
            // Swapped in as soon as its own fold is done, beside the folds still running (the swap
            // drops the old tables, which reads every page of them), with what arrived since `end`.
            let tail: [Arrived] = limit != nil ? [] : try arrived.withLock { seen in
                let after = seen.last?.arrival ?? end
                seen += try Self.decodeInParallel(pool.read { db in try Self.readRaw(db, after: after, limit: .max) })
                return seen
            }
            try files[i].write { db in
                if !tail.isEmpty { try Self.apply(db, targets[i], tail, limit: nil) }
                try targets[i].swapIn(db)
                try Self.saveState(db, targets[i].projection.name, State(version: targets[i].projection.version, position: tail.last?.arrival ?? end,
                                                                         generation: generations[i], limit: limit))
            }
            try self.install(files[i], selected[i])
        }
        built = true
        return ReplayReport(entries: read, seconds: Self.seconds(since: clock), projections: selected.map(\.name))
    }

    // MARK: - Phase 1: stage

    /// Stages every entry up to `end` (and, `following` a growing log, what arrives after it until
    /// the follower is finished); returns how many the limit admitted and the arrival position
    /// staged to.
    /// The next batch is read while this one is parsed and staged on every core.
    private func stage(_ targets: [ProjectionTables], _ files: [ModelFile], into sorters: [FactSorter], end start: Int64, limit: ReplayLimit?,
                       progress: (@Sendable (ReplayProgress) -> Void)?, following follower: LogFollower?) throws -> (read: Int64, end: Int64) {
        let projections = targets.map(\.projection)
        let routing = Routing(projections)
        var tallies = Array(repeating: Tallies(), count: targets.count)
        var read: Int64 = 0
        var end = start
        let pool = self.pool, batch = sizes.batch
        // A position limit is where the reading stops, not only what it stages.
        let cap: Int64 = if case .position(let p) = limit { p } else { .max }
        var next = try pool.read { db in try Self.readRaw(db, after: 0, limit: batch, upTo: min(start, cap)) }
        // Each projection's facts go to its own sorter, each sorter filled on a thread of its own
        // while the next batches are parsed: a sorter that fills a run sorts and writes it then,
        // holding up neither the parse nor the other sorters until it is two batches behind.
        let feeds = sorters.map { sorter in Feed<[StagedFacts]>(depth: 2) { parts in for part in parts { try sorter.add(part) } } }
        // However the stage ends, no sorter is still being filled when it returns.
        defer { for feed in feeds { _ = try? feed.finish() } }
        while true {
            guard let last = next.last else {
                // At `end`. Following a log that grows, wait for more until the follower finishes.
                guard let follower, let grown = try Self.growth(pool, after: end, follower) else { break }
                next = try pool.read { [end] db in try Self.readRaw(db, after: end, limit: batch, upTo: grown) }
                end = grown
                continue
            }
            let raw = next
            let following = Prefetch { [end] in try pool.read { db in try Self.readRaw(db, after: last.0, limit: batch, upTo: min(end, cap)) } }
            let parts = try Parallel.mapBlocking(Self.slices(raw)) { slice throws -> Staged in
                var staged = Staged(projections: projections.count)
                // Tallied a few hundred entries at a time, through the projections' batch tally.
                var untallied: [Envelope] = []
                func tally() {
                    for i in routing.tallying { staged.tallies[i].add(projections[i].tally(untallied)) }
                    untallied.removeAll(keepingCapacity: true)
                }
                var texts = RecurringTexts()
                for a in slice {
                    let envelope = try Entry.decode(stored: a.1, texts: &texts).envelope
                    if let limit, !limit.admits(arrival: a.0, envelope) { continue }
                    staged.admitted += 1
                    Self.stage(Arrived(arrival: a.0, envelope: envelope), projections, routing, into: &staged)
                    if !routing.tallying.isEmpty { untallied.append(envelope) }
                    if untallied.count == 256 { tally() }
                }
                tally()
                return staged
            }
            var voids: [(target: [UInt8], id: String)] = []
            for part in parts {
                for i in tallies.indices { tallies[i].add(part.tallies[i]) }
                voids += part.voids
            }
            for (i, feed) in feeds.enumerated() { try feed.put(parts.map { $0.facts[i] }) }
            if !voids.isEmpty {
                for (t, file) in zip(targets, files) {
                    try file.write { db in
                        let insert = try BoundStatement(db, "INSERT OR IGNORE INTO \(t.void)(target, void_id) VALUES (?, ?)")
                        for void in voids {
                            _ = try void.target.withUnsafeBytes { target in try insert.execute { $0.blob(target); $0.text(void.id) } }
                        }
                    }
                }
            }
            read += Int64(parts.reduce(0) { $0 + $1.admitted })
            progress?(ReplayProgress(phase: "reading", done: last.0, total: end))
            next = try following.value()
        }
        for feed in feeds { try feed.finish() }
        for (i, t) in targets.enumerated() { try files[i].write { db in try tallies[i].write(db, t) } }
        return (read, end)
    }

    /// The log's end once it has grown past `end`, waiting for that; nil once `follower` is
    /// finished and the log holds nothing past `end`.
    private static func growth(_ pool: DatabasePool, after end: Int64, _ follower: LogFollower) throws -> Int64? {
        while true {
            // Read after checking, so that entries committed before the follower finished are staged.
            let finished = follower.isFinished
            let now = try pool.read { db in try lastArrival(db) }
            if now > end { return now }
            if finished { return nil }
            follower.waitForGrowth()
        }
    }

    /// `items` in contiguous slices, four per core: the cores take them as they come free, so
    /// one core that the batch read (or anything else) also needs does not leave the others
    /// waiting for its one slice.
    private static func slices<T>(_ items: [T]) -> [[T]] {
        let parts = 4 * Parallel.cores
        let per = max(1, (items.count + parts - 1) / parts)
        return stride(from: 0, to: items.count, by: per).map { Array(items[$0..<min(items.count, $0 + per)]) }
    }

    /// Which projections an entry's type concerns: the ones that route it, and the ones that tally.
    private struct Routing: Sendable {
        private let byType: [String: [Int]]
        let tallying: [Int]

        init(_ projections: [any Projection]) {
            var byType: [String: [Int]] = [:]
            for (i, p) in projections.enumerated() {
                for type in p.routedTypes { byType[type, default: []].append(i) }
            }
            self.byType = byType
            tallying = projections.indices.filter { projections[$0].tallies }
        }

        /// The projections that may find facts in an entry of `type`, in order.
        func routing(_ type: String) -> [Int] { byType[type] ?? [] }
    }

    /// Stages what one entry contributes to each projection: its facts, each with the rows its
    /// entity folds into if it is the entity's only fact, written straight into the projection's
    /// ``StagedFacts``.
    private static func stage(_ a: Arrived, _ projections: [any Projection], _ routing: Routing, into staged: inout Staged) {
        let e = a.envelope
        if let target = Projections.voidTarget(e) { staged.voids.append((target: SQLiteLogStore.eventIDBytes(target), id: e.id.text)) }
        let routed = routing.routing(e.type)
        if routed.isEmpty { return }
        SQLiteLogStore.withEventIDBytes(e.id) { eventID in
            for i in routed {
                // Each projection is used in place: a closure would copy the existential per entry.
                for fact in projections[i].route(e) {
                    let rows = projections[i].fold(fact, facts: [Fact(e, key: fact)])
                    staged.facts[i].add(entity: { bytes in
                        bytes.append(contentsOf: fact.entity.utf8); bytes.append(UInt8(ascii: "/")); bytes.append(contentsOf: fact.key.utf8)
                    }, arrival: a.arrival, eventID: eventID) { bytes in
                        StagedRows.encode(rows, tables: projections[i].tables, into: &bytes)
                    }
                }
            }
        }
    }

    // MARK: - Phase 2: fold

    /// Folds every staged entity into rows, and writes its facts, in entity order: a chunk of
    /// whole entities per transaction, the next chunk merged while one is written.
    private func fold(_ t: ProjectionTables, _ file: ModelFile, _ sorter: FactSorter,
                      folded: (@Sendable (Int) -> Void)?) throws {
        let voided = try file.read { db in
            Set(try Data.fetchAll(db, sql: "SELECT target FROM \(t.void)").map { Array($0) })
        }
        var merge = try sorter.sorted()
        // Two chunks in turn, one merged into while the other is written: a chunk keeps its
        // memory from one use to the next (a new one grew by copying to several megabytes, each
        // time in pages fresh from the kernel).
        let chunks = [ChunkSlot(), ChunkSlot()]
        var next = 0
        var writing: Prefetch<Void>?
        while try merge.fill(&chunks[next].chunk, facts: sizes.batch * 2) {
            try writing?.value()
            let full = chunks[next], count = full.chunk.recordCount
            writing = Prefetch { try file.write { db in try Self.fold(full.chunk, voided: voided, into: t, db) } }
            folded?(count)
            next = 1 - next
        }
        try writing?.value()
    }

    /// A fold chunk handed between the merge and the writer, one of them at a time: the merge
    /// fills it only after the write that read it is done.
    private final class ChunkSlot: @unchecked Sendable {
        var chunk = FoldChunk()
    }

    /// Writes a chunk of entities' facts and rows. Facts and staged rows go many to a statement
    /// (``BatchedInsert``), bound in place from the chunk's buffer.
    private static func fold(_ chunk: FoldChunk, voided: Set<[UInt8]>, into t: ProjectionTables, _ db: Database) throws {
        let p = t.projection
        try chunk.bytes.withUnsafeBytes { arena in
            func isLive(_ v: FoldChunk.View) -> Bool { voided.isEmpty || !voided.contains(Array(v.eventID)) }
            func liveArrivals(_ entity: Range<Int>) -> [Int64] {
                entity.map { chunk.view($0, in: arena) }.filter(isLive).map(\.arrival)
            }
            // Entities with more than one live fact are folded from their entries (most have one).
            var needed: [Int64] = []
            for e in chunk.entities where e.count > 1 {
                let live = liveArrivals(e)
                if live.count > 1 { needed += live }
            }
            let known = needed.isEmpty ? [:] : try storedEnvelopes(db, at: needed)
            // Those entities' rows, encoded as staged rows are, each in memory of its own that stays
            // put until the statements that bind it have run.
            var folded: [UnsafeMutableRawBufferPointer] = []
            defer { for buffer in folded { buffer.deallocate() } }
            var facts = try BatchedInsert<(entity: UnsafeRawBufferPointer, arrival: Int64)>(
                db, "INSERT", into: t.fact, columns: 2) { f, b in b.text(utf8: f.entity); b.integer(f.arrival) }
            var rows = try p.tables.map { table in
                table.entity == nil ? nil : try BatchedInsert<UnsafeRawBufferPointer>(
                    db, "INSERT OR REPLACE", into: t.table(table), columns: table.columns.count) { row, b in StagedRows.bind(row, to: &b) }
            }
            func add(_ staged: UnsafeRawBufferPointer) throws {
                try StagedRows.forEachRow(staged, tables: p.tables) { index, row in
                    guard rows[index] != nil else { throw StoreError(.corrupt, "projection \(p.name) has no row table at \(index)") }
                    try rows[index]!.add(row)
                }
            }
            for e in chunk.entities {
                var live = 0
                var staged = UnsafeRawBufferPointer(start: nil, count: 0)
                for i in e {
                    let v = chunk.view(i, in: arena)
                    try facts.add((v.entity, v.arrival))
                    if isLive(v) { live += 1; staged = v.rows }
                }
                if live == 1 {
                    try add(staged)
                } else if live > 1 {
                    // Folded now, and queued behind the rows before it: every table's rows still go
                    // in key order.
                    let key = try ProjectionTables.factKey(String(decoding: chunk.view(e.lowerBound, in: arena).entity, as: UTF8.self))
                    let encoded = StagedRows.encode(fold(p, key, liveArrivals(e).map { known[$0]! }), tables: p.tables)
                    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, encoded.count), alignment: 8)
                    folded.append(buffer)
                    encoded.withUnsafeBytes { buffer.copyMemory(from: $0) }
                    try add(UnsafeRawBufferPointer(rebasing: buffer[0..<encoded.count]))
                }
            }
            try facts.finish()
            for i in rows.indices { try rows[i]?.finish() }
        }
    }
}

/// Work started on a thread of its own now, its result taken later (waiting if need be).
///
/// Not on Dispatch's global queue: there, on Linux, work waits for a free pool thread, and the
/// pool's threads are the ones blocked waiting for it (the folds' `concurrentPerform` workers, each
/// waiting for its model's write); the pool adds a thread only after a while, so one model's fold
/// wrote alone for half a second before the other's began.
final class Prefetch<T: Sendable>: Sendable {
    private let result = Mutex<Result<T, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () throws -> T) {
        let thread = Thread {
            let r = Result { try work() }
            self.result.withLock { $0 = r }
            self.done.signal()
        }
        thread.start()
    }

    func value() throws -> T {
        done.wait()
        done.signal()
        return try result.withLock { $0! }.get()
    }
}

/// Items handed in order to a thread of its own, which does `work` on each: at most `depth`
/// wait their turn, and ``put(_:)`` waits for room beyond that. A rebuild fills each sorter
/// through one, so a sorter sorting and writing a full run holds up neither the parse nor the
/// other sorters until it is `depth` batches behind.
///
/// After `work` throws, the items still to come are dropped, and ``put(_:)`` and ``finish()``
/// throw that error.
final class Feed<Item: Sendable>: Sendable {
    private let state = Mutex<(items: [Item], closed: Bool, failure: (any Error)?)>(([], false, nil))
    private let waiting = DispatchSemaphore(value: 0)
    private let room: DispatchSemaphore
    private let done = DispatchSemaphore(value: 0)

    init(depth: Int, _ work: @escaping @Sendable (Item) throws -> Void) {
        room = DispatchSemaphore(value: depth)
        let thread = Thread { [self] in
            while true {
                waiting.wait()
                let (item, failed) = state.withLock { s -> (Item?, Bool) in
                    (s.items.isEmpty ? nil : s.items.removeFirst(), s.failure != nil)
                }
                guard let item else { break }   // closed, and nothing left
                room.signal()
                if !failed {
                    do { try work(item) } catch { state.withLock { $0.failure = $0.failure ?? error } }
                }
            }
            done.signal()
        }
        thread.start()
    }

    /// Hands `item` over, waiting while `depth` items are still to be taken.
    func put(_ item: Item) throws {
        if let failure = state.withLock({ $0.failure }) { throw failure }
        room.wait()
        state.withLock { $0.items.append(item) }
        waiting.signal()
    }

    /// Waits until every item handed over is done; throws the first error `work` threw.
    func finish() throws {
        let first = state.withLock { s -> Bool in
            defer { s.closed = true }
            return !s.closed
        }
        // Wakes the thread once more: after the items, it finds none and ends.
        if first { waiting.signal() }
        done.wait()
        done.signal()
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }
}
