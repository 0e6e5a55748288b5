import Foundation
import GRDB
import MusterCore
import MusterDemo
@testable import MusterStore
import Synchronization
import Testing

@Suite struct ProjectionEngineTests {
    static let fixture = Result { try MultiOriginFixture(members: 60, seed: 3) }

    @Test func aVoidWinsWhicheverArrivesFirst() throws {
        let fixture = try Self.fixture.get()
        let donation = fixture.logs.flatMap { $0 }.first { $0.envelope.type == DonationReceived.schema.type }!
        let void = try PreparedEntry(try EntryDraft(EventVoided(target: donation.envelope.id, reason: "duplicate"), subject: nil,
                                                    operatorID: "op"),
                                     origin: "z.example.org/hub", keys: InMemorySubjectKeyStore())
            .assemble(seq: 1, recordedAt: Timestamp(unixMillis: 1_700_000_000_000), hlc: HLCStamp(wallMillis: 1, counter: 0))
        let rows = "SELECT COUNT(*) FROM rm_donation WHERE key = '\(donation.envelope.id.text)'"
        let before = try ReplicaStore(), after = try ReplicaStore()
        try before.arrive([void]); try before.engine.catchUp()
        try before.arrive([donation]); try before.engine.catchUp()
        try after.arrive([donation]); try after.engine.catchUp()
        #expect(try after.count(rows) == 1)
        try after.arrive([void]); try after.engine.catchUp()
        #expect(try before.count(rows) == 0 && after.count(rows) == 0)
        #expect(try before.digest() == after.digest())
    }

    /// A hub reopened in the same process while the hub before it still finishes a background
    /// catch-up has two engines on one database: they take turns, and the models come out as a
    /// rebuild makes them (two first builds at once used to share the build tables, and the
    /// per-origin tallies were counted twice).
    @Test func twoEnginesOnOneDatabaseTakeTurns() throws {
        let fixture = try Self.fixture.get()
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<4 {
            let replica = try ReplicaStore()
            try replica.arrive(fixture.interleaving(using: &rng))
            let engines = [replica.engine, try ProjectionEngine(store: replica.store)]
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                do { _ = try engines[i].catchUp() } catch { failures.withLock { $0.append("\(error)") } }
            }
            #expect(failures.withLock { $0 }.isEmpty)
            let live = try replica.digest()
            _ = try replica.engine.rebuild()
            #expect(try replica.digest() == live)
        }
    }

    @Test func aRebuildSwapsInAtomicallyWhileTheOldModelServes() throws {
        let fixture = try Self.fixture.get()
        let replica = try ReplicaStore()
        let all = fixture.logs.flatMap { $0 }
        try replica.arrive(all); try replica.engine.catchUp()
        let members = try replica.count("SELECT COUNT(*) FROM rm_member")
        let digest = try replica.digest()
        let seen = LockedList()
        // While the rebuild reads and folds, readers still see the complete old model.
        _ = try replica.engine.rebuild { _ in
            seen.append((try? replica.count("SELECT COUNT(*) FROM rm_member")) ?? -1)
        }
        #expect(!seen.values.isEmpty && seen.values.allSatisfy { $0 == members })
        #expect(try replica.digest() == digest)
        // No build table is left in any model's file.
        for p in replica.engine.projections {
            #expect(try replica.engine.model(p).read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM main.sqlite_master WHERE name LIKE '%__build'")
            } == 0)
        }
    }

    /// Readers on other threads, through this engine and through another one reading only, read
    /// all along while rebuild after rebuild puts new files in place and removes the old ones: each
    /// read sees the whole model, and none fails for a file removed after it was listed.
    @Test func readersOnOtherThreadsReadThroughRebuilds() throws {
        let fixture = try Self.fixture.get()
        let replica = try ReplicaStore()
        try replica.arrive(fixture.logs.flatMap { $0 }); try replica.engine.catchUp()
        let members = try replica.count("SELECT COUNT(*) FROM rm_member")
        let reader = try ProjectionEngine(store: replica.store, writable: false)
        let rebuilding = Atomic<Bool>(true)
        let seen = LockedList(), failures = Mutex<[String]>([])
        let readers = (0..<2).map { i in
            Prefetch {
                let engine = i == 0 ? replica.engine : reader
                while rebuilding.load(ordering: .relaxed) {
                    do {
                        seen.append(try engine.readViews { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rm_member") ?? -1 })
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
        }
        for _ in 0..<12 { _ = try replica.engine.rebuild() }
        rebuilding.store(false, ordering: .relaxed)
        for r in readers { try r.value() }
        #expect(failures.withLock { $0 } == [])
        #expect(seen.values.count > 12 && seen.values.allSatisfy { $0 == members })
    }

    @Test func aChangedVersionRebuildsOnCatchUp() throws {
        let fixture = try Self.fixture.get()
        let replica = try ReplicaStore()
        try replica.arrive(fixture.logs[0]); try replica.engine.catchUp()
        let digest = try replica.digest()
        try replica.engine.model(MembersProjection()).write { db in
            try db.execute(sql: "UPDATE pj_state SET version = 0 WHERE name = 'members'")
            try db.execute(sql: "DELETE FROM rm_member")  // an old model with other contents
        }
        #expect(try replica.engine.status().first { $0.name == "members" }!.builtVersion == 0)
        try replica.engine.catchUp()
        #expect(try replica.engine.status().first { $0.name == "members" }!.builtVersion == MembersProjection().version)
        #expect(try replica.digest() == digest)
    }

    @Test func asOfAndUntilPinTheModelUntilAFullReplay() throws {
        let fixture = try Self.fixture.get()
        let replica = try ReplicaStore()
        let log = fixture.logs[1]
        try replica.arrive(log); try replica.engine.catchUp()
        let now = try replica.digest()
        let cut = log[log.count / 2].envelope.recordedAt.date
        let expected = log.filter { $0.envelope.recordedAt.date <= cut }.count
        #expect(try replica.engine.rebuild(limit: .asOf(cut)).entries == Int64(expected))
        #expect(try replica.count("SELECT entries FROM rm_origin") == expected)
        // A model built as of a date equals one built from only the entries recorded by then.
        let earlier = try ReplicaStore()
        try earlier.arrive(log.filter { $0.envelope.recordedAt.date <= cut }); try earlier.engine.catchUp()
        #expect(try replica.digest() == earlier.digest())
        // Pinned: new arrivals are not applied until a replay without a limit.
        try replica.arrive([fixture.logs[2][0]]); try replica.engine.catchUp()
        #expect(try replica.engine.status().allSatisfy { $0.limit == .asOf(cut) })
        #expect(try replica.count("SELECT COUNT(*) FROM rm_origin") == 1)
        #expect(try replica.engine.rebuild(limit: .position(10)).entries == 10)
        #expect(try replica.count("SELECT entries FROM rm_origin") == 10)
        _ = try replica.engine.rebuild()
        #expect(try replica.count("SELECT COUNT(*) FROM rm_origin") == 2)
        #expect(try replica.digest() != now)
    }

    @Test func memberFoldsAreLastWriterWinsWithErasureWinning() {
        let p = MembersProjection()
        func fact(_ type: String, wall: Int64, origin: String = "a", _ payload: [String: String]) -> Fact {
            Fact(key: FactKey("member", "m"), stamp: FactStamp(hlc: HLCStamp(wallMillis: wall, counter: 0), origin: origin,
                                                               eventID: "e\(wall)\(origin)"),
                 seq: 1, type: type, subject: "m", recordedAt: Timestamp(unixMillis: wall), payload: .object(payload.mapValues(JSONValue.string)))
        }
        let joined = fact("member.joined", wall: 1, ["region": "london", "joinedOn": "2025-01-01"])
        let moved = fact("member.moved", wall: 5, ["region": "wales", "movedOn": "2025-02-01"])
        let lapsed = fact("member.lapsed", wall: 3, ["lapsedOn": "2025-01-20"])
        let renewedTie = fact("member.renewed", wall: 3, origin: "b", ["renewedOn": "2025-01-21"])
        let erased = fact("subject.erased", wall: 2, ["requestedOn": "2025-01-10", "basis": "gdpr-art17"])
        let row = p.fold(FactKey("member", "m"), facts: [joined, lapsed, renewedTie, moved].sorted { $0.stamp < $1.stamp })[0]
        #expect(row.values[1] == ReadModelValue.text("active"))  // renewed (origin b) follows lapsed (origin a) at the same stamp
        #expect(row.values[3] == ReadModelValue.text("wales") && row.values[6] == ReadModelValue.text("2025-01-01"))
        #expect(row.values[4] == ReadModelValue.null)  // no constituency was given
        let gone = p.fold(FactKey("member", "m"), facts: [joined, erased, lapsed, renewedTie, moved].sorted { $0.stamp < $1.stamp })[0]
        #expect(gone.values[1] == ReadModelValue.text("erased"))  // the tombstone wins over later statuses
    }
}

final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int] = []
    func append(_ v: Int) { lock.lock(); items.append(v); lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return items }
}
