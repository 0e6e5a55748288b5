import Foundation
import GRDB
import MusterCore
import MusterDemo
@testable import MusterStore
import MusterTesting
import Testing

/// How the engine stores and sorts facts: whatever the batch and sort-run sizes, and whichever
/// path a catch-up takes (applied in batches, or rebuilt for a large backlog), the read models are
/// the same; an older storage layout is rebuilt.
@Suite struct ProjectionStorageTests {
    static let fixture = Result { try MultiOriginFixture(members: 60, seed: 11) }

    /// Entries in an interleaving whose voids and multi-fact entities fall across batches.
    static func entries() throws -> [Entry] {
        var rng = SeededGenerator(seed: 5)
        return try fixture.get().interleaving(using: &rng)
    }

    static func referenceDigest() throws -> String {
        let replica = try ReplicaStore()
        try replica.arrive(try entries()); try replica.engine.catchUp()
        return try replica.digest()
    }

    @Test func tinyBatchesAndSortRunsGiveTheSameModels() throws {
        let all = try Self.entries()
        #expect(all.contains { $0.envelope.type == Projections.voidType })
        var tiny = ProjectionEngine.Sizes()
        tiny.batch = 7; tiny.sortRun = 300; tiny.rebuildBacklog = .max
        let replica = try ReplicaStore(sizes: tiny)
        // Built from the first part (a rebuild through many sorted runs), then applied 7 at a time.
        try replica.arrive(all.prefix(all.count / 3)); try replica.engine.catchUp()
        try replica.arrive(all.dropFirst(all.count / 3)); try replica.engine.catchUp()
        let reference = try Self.referenceDigest()
        #expect(try replica.digest() == reference)
        _ = try replica.engine.rebuild()
        #expect(try replica.digest() == reference)
        // Every fact is kept, once, whichever path wrote it.
        let facts = try replica.count("SELECT COUNT(*) FROM pj_members_fact")
        let fresh = try ReplicaStore()
        try fresh.arrive(all); try fresh.engine.catchUp()
        #expect(try fresh.count("SELECT COUNT(*) FROM pj_members_fact") == facts)
        // No temporary file is left beside the database.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: replica.temp.url.path).filter { $0.hasSuffix(".stage") }
        #expect(leftovers.isEmpty)
    }

    /// A rebuild writes hundreds of rows to a statement, and queues a multi-fact entity's folded
    /// rows among the staged ones: its models are those that applying every entry gives.
    @Test func aRebuildWithFullStatementsGivesTheAppliedModels() throws {
        var rng = SeededGenerator(seed: 17)
        let all = try MultiOriginFixture(members: 700, seed: 23).interleaving(using: &rng)
        let rebuilt = try ReplicaStore()
        try rebuilt.arrive(all)
        _ = try rebuilt.engine.rebuild()
        // More rows in each of a rebuild's tables than one statement takes, and entities of many facts.
        #expect(try rebuilt.count("SELECT COUNT(*) FROM rm_member") > 512)
        #expect(try rebuilt.count("SELECT COUNT(*) FROM rm_donation") > 256)
        #expect(try rebuilt.count("SELECT COUNT(*) FROM (SELECT ent FROM pj_members_fact GROUP BY ent HAVING COUNT(*) > 1)") > 100)
        // And members whose every fact is voided: no row, whichever path wrote the models (applied,
        // each had kept a row of status "unknown" and no events).
        let allVoided = try rebuilt.count("""
            SELECT COUNT(*) FROM (SELECT f.ent FROM pj_members_fact f JOIN entry e ON e.arrival = f.arrival GROUP BY f.ent
              HAVING SUM(EXISTS (SELECT 1 FROM pj_members_void v WHERE v.target = e.event_id)) = COUNT(*))
            """)
        #expect(allVoided > 0)
        #expect(try rebuilt.count("SELECT COUNT(*) FROM rm_member WHERE events = 0") == 0)
        var applyOnly = ProjectionEngine.Sizes()
        applyOnly.batch = 97; applyOnly.rebuildBacklog = .max
        let applied = try ReplicaStore(sizes: applyOnly)
        try applied.arrive(all.prefix(1)); _ = try applied.engine.rebuild()
        try applied.arrive(all.dropFirst()); try applied.engine.catchUp()
        #expect(try applied.digest() == rebuilt.digest())
    }

    @Test func aLargeBacklogIsRebuiltToTheSameModels() throws {
        let all = try Self.entries()
        var sizes = ProjectionEngine.Sizes()
        sizes.rebuildBacklog = 10
        let replica = try ReplicaStore(sizes: sizes)
        try replica.arrive(all.prefix(12)); try replica.engine.catchUp()
        let generation = { try replica.count("SELECT generation FROM model_members.pj_state WHERE name = 'members'") }
        let before = try generation()
        try replica.arrive(all.dropFirst(12)); try replica.engine.catchUp()
        #expect(try generation() == before + 1)
        #expect(try replica.digest() == Self.referenceDigest())
        #expect(try replica.engine.status().allSatisfy { $0.position == Int64(all.count) })
    }

    /// A rebuild that follows the log stages what arrives while it runs, in pieces and across
    /// sort runs, until it is finished: its models are the reference, at the last arrival.
    @Test func aRebuildFollowingTheLogTakesWhatArrivesUntilFinished() async throws {
        let all = try Self.entries()
        var sizes = ProjectionEngine.Sizes()
        sizes.batch = 5; sizes.sortRun = 400
        let replica = try ReplicaStore(sizes: sizes)
        try replica.arrive(all.prefix(9))
        let follower = LogFollower()
        let engine = replica.engine
        let rebuild = Task.detached { try engine.rebuild(following: follower) }
        for start in stride(from: 9, to: all.count, by: 23) {
            try replica.arrive(all[start..<min(all.count, start + 23)])
            follower.grew()
            try await Task.sleep(for: .milliseconds(start % 2 == 0 ? 0 : 60))   // sometimes caught up, waiting
        }
        follower.finish()
        let report = try await rebuild.value
        #expect(report.entries == Int64(all.count))
        #expect(try replica.digest() == Self.referenceDigest())
        #expect(try replica.engine.status().allSatisfy { $0.position == Int64(all.count) })
        // Finished with nothing new, it stops at once with what the log holds.
        let idle = LogFollower()
        idle.finish()
        #expect(try engine.rebuild(following: idle).entries == Int64(all.count))
        #expect(try replica.digest() == Self.referenceDigest())
    }

    /// A projection's batch tally (log status counts per origin in place) is the per-entry
    /// tallies added up, over three origins, voids among them, in any split and any order.
    @Test func aBatchTallyIsTheEntriesTalliesAddedUp() throws {
        let envelopes = try Self.entries().map(\.envelope)
        #expect(envelopes.contains { $0.type == Projections.voidType })
        for p in Projections.all {
            var one = ProjectionEngine.Tallies(), batched = ProjectionEngine.Tallies()
            for e in envelopes { one.add(p.tally(e)) }
            batched.add(p.tally(Array(envelopes.prefix(40))))
            batched.add(p.tally(Array(envelopes.dropFirst(40))))
            #expect(batched.rows == one.rows, "\(p.name)")
            // Runs of one origin, and origins that come back after others.
            var rng = SystemRandomNumberGenerator()
            var mixed = ProjectionEngine.Tallies()
            mixed.add(p.tally(envelopes.sorted { $0.origin < $1.origin } + envelopes.shuffled(using: &rng)))
            var twice = ProjectionEngine.Tallies()
            for e in envelopes + envelopes { twice.add(p.tally(e)) }
            #expect(mixed.rows == twice.rows, "\(p.name)")
        }
        let status = LogStatusProjection().tally(envelopes)
        #expect(status.count == Set(envelopes.map(\.origin)).count)
        #expect(status.map { $0.sums["entries"] ?? 0 }.reduce(0, +) == Int64(envelopes.count))
    }

    /// A hub made before the models had files of their own kept them in the log's file: a
    /// writable engine drops those tables, and the next catch-up builds the models in their files.
    @Test func modelsKeptInTheLogsFileMoveToFilesOfTheirOwn() throws {
        let replica = try ReplicaStore()
        try replica.arrive(try Self.entries())
        try replica.store.pool.write { db in
            try db.execute(sql: """
                CREATE TABLE pj_state (name TEXT PRIMARY KEY, version INTEGER NOT NULL, position INTEGER NOT NULL,
                    generation INTEGER NOT NULL, limit_kind TEXT, limit_value TEXT, built_at TEXT NOT NULL) WITHOUT ROWID;
                INSERT INTO pj_state VALUES ('members', 2, 1000000, 1, NULL, NULL, '2026-01-01T00:00:00Z');
                CREATE TABLE pj_members_fact (ent TEXT NOT NULL, arrival INTEGER NOT NULL, PRIMARY KEY (ent, arrival)) WITHOUT ROWID;
                CREATE TABLE rm_member (key TEXT PRIMARY KEY, region TEXT) WITHOUT ROWID;
                INSERT INTO rm_member VALUES ('stale', 'nowhere');
                """)
        }
        let engine = try ProjectionEngine(store: replica.store)
        #expect(try replica.store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'rm%' OR name LIKE 'pj%'")
        } == 0)
        #expect(try engine.status().allSatisfy { $0.builtVersion == nil })
        try engine.catchUp()
        #expect(try engine.digests().last!.hex == Self.referenceDigest())
        #expect(try engine.readViews { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rm_member WHERE key = 'stale'") } == 0)
    }

    @Test func anOlderFactLayoutIsRebuiltOnCatchUp() throws {
        let replica = try ReplicaStore()
        try replica.arrive(try Self.entries()); try replica.engine.catchUp()
        let digest = try replica.digest()
        try replica.engine.model(MembersProjection()).write { db in
            // The layout before facts became (entity, arrival): a copy of every payload.
            try db.execute(sql: """
                DROP TABLE pj_members_fact;
                CREATE TABLE pj_members_fact (entity TEXT NOT NULL, key TEXT NOT NULL, wall INTEGER NOT NULL, payload BLOB NOT NULL);
                DELETE FROM rm_member;
                """)
        }
        // An older binary made that layout; the next process to open the hub finds it.
        try ProjectionEngine(store: replica.store).catchUp()
        #expect(try replica.count("SELECT COUNT(*) FROM pragma_table_info('pj_members_fact') WHERE name = 'ent'") == 1)
        #expect(try replica.digest() == digest)
    }

    @Test func readModelsLiveInFilesOfTheirOwnAndLeaveTheLogsWriterAlone() throws {
        let replica = try ReplicaStore()
        let synchronous = { try replica.store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } }
        #expect(try synchronous() == 2)   // FULL
        try replica.arrive(try Self.entries()); try replica.engine.catchUp()
        #expect(try synchronous() == 2)
        // No read-model table is in the log's file; each projection has a file of its own.
        #expect(try replica.store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'rm%' OR name LIKE 'pj%'")
        } == 0)
        let members = try replica.engine.model(MembersProjection())
        #expect(URL(fileURLWithPath: members.path).lastPathComponent == "members.1.sqlite")   // its first build
        let settings = try members.read { db in
            (try String.fetchOne(db, sql: "PRAGMA main.journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try Int.fetchOne(db, sql: "PRAGMA temp_store"), try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM main.rm_member") ?? 0)
        }
        #expect(settings.0 == "wal")
        #expect(settings.1 == 1)   // NORMAL: derived, applied again after a power loss
        #expect(settings.2 == 2)   // statement journals in memory, not spilled to temporary files
        #expect(settings.3 > 0)
        // A model's transaction that has written and read the log does not hold the log's writer:
        // an entry commits meanwhile. And a model transaction that fails is rolled back.
        struct Failure: Error {}
        #expect(throws: Failure.self) {
            try members.write { db in
                try db.execute(sql: "DELETE FROM rm_member")
                _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entry")
                try replica.store.pool.write { log in
                    try log.execute(sql: "UPDATE origin SET size = size WHERE id = (SELECT MIN(id) FROM origin)")
                }
                // The log committed while this transaction held the model's write lock.
                throw Failure()
            }
        }
        #expect(try replica.digest() == Self.referenceDigest())
    }

    /// A rebuild writes each model into a file of the next generation, then puts it in place:
    /// the old generation's files and an interrupted build's are removed, and readers opened
    /// before it (a held `Reports`, another engine reading only) read the new models after it.
    @Test func aRebuildPutsTheNextGenerationInPlaceOfTheLiveFile() throws {
        let all = try Self.entries()
        let replica = try ReplicaStore()
        try replica.arrive(all.prefix(40)); try replica.engine.catchUp()
        let reader = try ProjectionEngine(store: replica.store, writable: false)
        let reports = Reports(engine: replica.engine)
        let members = { try reports.members(by: "region", period: .init()) }
        let counted = { (engine: ProjectionEngine) in
            try engine.readViews { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rm_member") ?? 0 }
        }
        let before = (try members(), try counted(reader))
        let directory = ProjectionEngine.modelDirectory(logPath: replica.store.pool.path)
        let files = { Set(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("members.") }) }
        #expect(try files().isSubset(of: ["members.1.sqlite", "members.1.sqlite-wal", "members.1.sqlite-shm"]))
        // What a build interrupted by a crash leaves: never read, removed by the next build.
        try Data("half a model".utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent("members.5.building"))

        try replica.arrive(all.dropFirst(40))
        _ = try replica.engine.rebuild()
        #expect(try files() == ["members.2.sqlite"])
        #expect(try replica.digest() == Self.referenceDigest())
        #expect(try counted(reader) == replica.count("SELECT COUNT(*) FROM rm_member"))
        #expect(try counted(reader) > before.1)
        #expect(try members() != before.0)
        #expect(try members() == Reports(engine: ProjectionEngine(store: replica.store, writable: false)).members(by: "region", period: .init()))
        #expect(try replica.engine.status().allSatisfy { $0.position == Int64(all.count) })
        // An older generation that a crash kept from being removed goes when the hub next opens.
        try Data().write(to: URL(fileURLWithPath: directory).appendingPathComponent("members.1.sqlite"))
        #expect(try files() == ["members.1.sqlite", "members.2.sqlite"])
        _ = try ProjectionEngine(store: replica.store)
        #expect(try files().filter { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") } == ["members.2.sqlite"])
        // The live file is written through its WAL again, and catch-ups go on in it.
        let model = try replica.engine.model(MembersProjection())
        #expect(URL(fileURLWithPath: model.path).lastPathComponent == "members.2.sqlite")
        #expect(try model.read { db in try String.fetchOne(db, sql: "PRAGMA main.journal_mode") } == "wal")
        #expect(try replica.engine.catchUp() == 0)
    }

    @Test func theSorterOrdersAsSQLiteDoes() throws {
        let temp = try TemporaryDirectory()
        var rng = SeededGenerator(seed: 9)
        // Entities sharing long prefixes, shorter and longer than the 24-byte prefix words, and of every length.
        let stems = ["member/", "member/0000", "m", "plan/01a2", "attendance/01a2/x", "member/0000000000/", "donation/01a20564-43f8-7d1a-"]
        var records: [FactSorter.Record] = []
        for i in 0..<3000 {
            let stem = stems[Int.random(in: 0..<stems.count, using: &rng)]
            let tail = String((0..<Int.random(in: 0...12, using: &rng)).map { _ in "0123456789abcdef/".randomElement(using: &rng)! })
            let rows = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            records.append(FactSorter.Record(entity: Array((stem + tail).utf8), arrival: Int64(Int.random(in: 1...50, using: &rng)),
                                             eventID: (0..<16).map { _ in UInt8(i & 0xff) }, rows: rows))
        }
        for (runBytes, group) in [(200, 1), (5000, 1), (5000, 97), (1 << 30, 1), (1 << 30, 3000)] {
            let sorter = try FactSorter(directory: temp.url.path, runBytes: runBytes)
            // One at a time, or many staged end to end in one buffer (as a rebuild stages them).
            for start in stride(from: 0, to: records.count, by: group) {
                var staged = StagedFacts()
                for r in records[start..<min(records.count, start + group)] {
                    r.eventID.withUnsafeBytes { id in
                        staged.add(entity: { $0 += r.entity }, arrival: r.arrival, eventID: id) { $0 += r.rows }
                    }
                }
                try sorter.add(staged)
            }
            #expect(sorter.count == records.count)
            let out = try Self.merged(sorter, facts: group == 1 ? 1 : 50)
            let expected = records.sorted { a, b in
                a.entity != b.entity ? a.entity.lexicographicallyPrecedes(b.entity) : a.arrival < b.arrival
            }
            #expect(out.map(\.entity) == expected.map(\.entity), "run size \(runBytes), groups of \(group)")
            #expect(out.map(\.arrival) == expected.map(\.arrival))
            #expect(Set(out.map { $0.rows + $0.eventID }) == Set(records.map { $0.rows + $0.eventID }))
        }
        // And SQLite agrees on the order of the entities.
        let db = try DatabaseQueue()
        let sqliteOrder = try db.write { db in
            try db.execute(sql: "CREATE TABLE t (e TEXT)")
            for r in records { try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [String(decoding: r.entity, as: UTF8.self)]) }
            return try String.fetchAll(db, sql: "SELECT DISTINCT e FROM t ORDER BY e")
        }
        let sorter = try FactSorter(directory: temp.url.path, runBytes: 300)
        for r in records { try sorter.add(r) }
        let distinct = try Self.merged(sorter, facts: 7).reduce(into: [String]()) { distinct, r in
            let e = String(decoding: r.entity, as: UTF8.self)
            if distinct.last != e { distinct.append(e) }
        }
        #expect(distinct == sqliteOrder)
    }

    @Test func theSorterMergesRecordsLargerThanItsReadBuffers() throws {
        let temp = try TemporaryDirectory()
        // Each run is read through at least 64 KiB; these records are larger, one run each.
        let records: [FactSorter.Record] = (0..<6).map { (i: Int) -> FactSorter.Record in
            let rows: [UInt8] = (0..<(40_000 * (i + 1))).map { (b: Int) -> UInt8 in UInt8(truncatingIfNeeded: b &* 31 &+ i) }
            return FactSorter.Record(entity: Array("member/\(5 - i % 3)".utf8), arrival: Int64(i),
                                     eventID: Array(repeating: UInt8(i), count: 16), rows: rows)
        }
        let sorter = try FactSorter(directory: temp.url.path, runBytes: 1)
        for r in records { try sorter.add(r) }
        let out = try Self.merged(sorter, facts: 1)
        let expected = records.sorted { (a: FactSorter.Record, b: FactSorter.Record) -> Bool in
            a.entity != b.entity ? a.entity.lexicographicallyPrecedes(b.entity) : a.arrival < b.arrival
        }
        #expect(out == expected)
        #expect(out.map(\.arrival) == [2, 5, 1, 4, 0, 3])
    }

    /// Every record of `sorter`, merged a chunk at a time; checks that each chunk holds whole
    /// entities, one group each, and stops at the first entity that starts at or past `facts`.
    private static func merged(_ sorter: FactSorter, facts: Int) throws -> [FactSorter.Record] {
        var merge = try sorter.sorted()
        var chunk = FoldChunk()
        var out: [FactSorter.Record] = []
        var entities: [[UInt8]] = []
        while try merge.fill(&chunk, facts: facts) {
            #expect(chunk.recordCount - chunk.entities.last!.count < facts)
            #expect(chunk.entities.map(\.count).reduce(0, +) == chunk.recordCount)
            for e in chunk.entities {
                let records = e.map(chunk.record)
                #expect(Set(records.map(\.entity)).count == 1)
                entities.append(records[0].entity)
                out += records
            }
        }
        #expect(!(try merge.fill(&chunk, facts: facts)))
        #expect(Set(entities).count == entities.count, "an entity split between groups")
        return out
    }
}
