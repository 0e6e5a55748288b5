import Foundation
import GRDB
import MusterCore
import MusterDemo
@testable import MusterStore
import MusterTesting

/// A movement's events spread over three hubs' logs, with events that refer across logs
/// (a donation in one, its check in another), voids, and clock ties between hubs: the entries
/// two hubs would hold after sync, to be fed to a fresh store in any interleaving.
struct MultiOriginFixture {
    static let origins = ["a.example.org/hub", "b.example.org/hub", "c.example.org/hub"]
    /// Each origin's entries in seq order.
    let logs: [[Entry]]

    init(members: Int = 120, seed: UInt64 = 11) throws {
        var rng = SeededGenerator(seed: seed)
        let movement = SyntheticMovement(.init(members: members, seed: seed))
        var drafts: [[(id: EventID, date: CalendarDate, draft: EntryDraft)]] = Array(repeating: [], count: Self.origins.count)
        for event in movement.events {
            drafts[Int.random(in: 0..<Self.origins.count, using: &rng)].append((event.id, event.date, event.draft))
        }
        // Void about one event in twelve: half from the target's own hub after it (so they arrive after
        // it in every interleaving), half from a random hub at a random place (often before it).
        let voidable: Set<String> = [DonationReceived.schema.type, MemberMoved.schema.type, PledgeFulfilled.schema.type,
                                     DonationRefunded.schema.type, ConsentRecorded.schema.type, MemberLapsed.schema.type,
                                     DonationPermissibilityChecked.schema.type, TrainingAttendanceRecorded.schema.type,
                                     PledgeMade.schema.type, MemberJoined.schema.type]
        for event in movement.events where voidable.contains(event.draft.type) && Int.random(in: 0..<12, using: &rng) == 0 {
            let draft = try EntryDraft(EventVoided(target: event.id, reason: "recorded in error"), subject: nil, operatorID: "op-ben")
            let void = (id: EventID.generate(unixMillis: 1_800_000_000_000, using: &rng), date: event.date, draft: draft)
            if Bool.random(using: &rng), let o = drafts.firstIndex(where: { $0.contains { $0.id == event.id } }) {
                let at = drafts[o].firstIndex { $0.id == event.id }! + 1
                drafts[o].insert(void, at: Int.random(in: at...drafts[o].count, using: &rng))
            } else {
                let o = Int.random(in: 0..<Self.origins.count, using: &rng)
                drafts[o].insert(void, at: Int.random(in: 0...drafts[o].count, using: &rng))
            }
        }
        let keys = InMemorySubjectKeyStore()
        logs = try drafts.enumerated().map { o, events in
            // Coarse clocks (a day per wall tick) make hubs' stamps tie often: ties break on origin.
            var counter: Int64 = 0, lastWall: Int64 = -1
            return try events.enumerated().map { i, event in
                let wall = event.date.daysSinceEpoch * 86_400_000
                counter = wall == lastWall ? counter + 1 : 0
                lastWall = wall
                let prepared = try PreparedEntry(event.draft, origin: Self.origins[o], id: event.id, keys: keys)
                return try prepared.assemble(seq: UInt64(i + 1), recordedAt: Timestamp(unixMillis: wall + 43_200_000),
                                             hlc: HLCStamp(wallMillis: wall, counter: counter))
            }
        }
    }

    /// A random interleaving that keeps each origin's order.
    func interleaving(using rng: inout SeededGenerator) -> [Entry] {
        var next = Array(repeating: 0, count: logs.count), out: [Entry] = []
        while out.count < logs.reduce(0, { $0 + $1.count }) {
            let open = logs.indices.filter { next[$0] < logs[$0].count }
            let o = open[Int.random(in: 0..<open.count, using: &rng)]
            out.append(logs[o][next[o]])
            next[o] += 1
        }
        return out
    }
}

/// A store of a hub that holds other hubs' entries, filled directly (sync is not involved).
struct ReplicaStore {
    let temp: TemporaryDirectory
    let store: SQLiteLogStore
    let engine: ProjectionEngine

    init(sizes: ProjectionEngine.Sizes = .init()) throws {
        temp = try TemporaryDirectory()
        let signer = try NoteSigner.generate(name: "replica.example.org/hub")
        store = try SQLiteLogStore(path: temp.path("log.sqlite"), origin: "replica.example.org/hub", signer: signer)
        engine = try ProjectionEngine(store: store, sizes: sizes)
    }

    /// Stores entries as arrivals, in the order given.
    func arrive(_ entries: some Sequence<Entry>) throws {
        try store.pool.write { db in
            for entry in entries {
                let e = entry.envelope
                try db.execute(sql: "INSERT OR IGNORE INTO origin(name) VALUES (?)", arguments: [e.origin])
                let originID = try Int64.fetchOne(db, sql: "SELECT id FROM origin WHERE name = ?", arguments: [e.origin])!
                try db.execute(sql: "INSERT INTO entry(origin_id, seq, event_id, bytes) VALUES (?, ?, ?, ?)",
                               arguments: [originID, Int64(e.seq), SQLiteLogStore.eventIDBlob(e.id), Data(entry.bytes)])
                try db.execute(sql: "UPDATE origin SET size = MAX(size, ?) WHERE id = ?", arguments: [Int64(e.seq), originID])
            }
        }
    }

    /// The digest of every read model together.
    func digest() throws -> String { try engine.digests().last!.hex }

    /// A count read through the engine's view connections (every model file attached).
    func count(_ sql: String) throws -> Int { try engine.readViews { db in try Int.fetchOne(db, sql: sql) ?? 0 } }
}
