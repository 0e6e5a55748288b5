import Foundation
import GRDB
import MusterCore
@testable import MusterStore
import MusterTesting
import Testing
import Synchronization

@Suite struct LogStoreTests {
    /// Whether every read model reaches arrival position `position` within a few seconds.
    static func readModels(of hub: Hub, reach position: Int64) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while try hub.projections.status().contains(where: { $0.position < position }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        return try hub.projections.status().allSatisfy { $0.position >= position }
    }

    /// A new log has 16 KiB pages; a log made with SQLite's 4 KiB pages keeps them, and works.
    @Test func aNewLogHasLargePagesAndAnOlderOneKeepsItsOwn() async throws {
        let t = try TestHub()
        let pageSize = { (store: SQLiteLogStore) in try store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } }
        #expect(try pageSize(t.hub.store) == SQLiteLogStore.pageSize)
        // Either way the writer checkpoints its WAL every 64 MB.
        let autocheckpoint = { (store: SQLiteLogStore) in
            try store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
        }
        #expect(try autocheckpoint(t.hub.store) == (64 << 20) / SQLiteLogStore.pageSize)
        let temp = try TemporaryDirectory()
        let path = temp.path("old.sqlite")
        let old = try DatabaseQueue(path: path)
        try await old.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE x (y)") }
        try old.close()
        let signer = try NoteSigner.generate(name: "old.example.org/hub")
        let store = try SQLiteLogStore(path: path, origin: "old.example.org/hub", signer: signer)
        #expect(try pageSize(store) == 4096)
        #expect(try autocheckpoint(store) == 16_384)
        let drafts = TestHub.drafts(members: 3)
        let outcomes = try await store.append(try drafts.map { AppendRequest(try PreparedEntry($0, origin: store.localOrigin, keys: t.hub.keys)) })
        #expect(outcomes.count == drafts.count)
        #expect(try store.origins().first { $0.origin == "old.example.org/hub" }?.size == UInt64(drafts.count))
    }

    @Test func bulkAppendAssignsSeqsAndSignsOneCheckpointPerBatch() async throws {
        let t = try TestHub()
        let drafts = TestHub.drafts(members: 40)
        let outcomes = try await t.hub.recordBulk(drafts, chunk: 100)
        #expect(outcomes.count == drafts.count)
        for (i, outcome) in outcomes.enumerated() {
            guard case .appended(let seq, let id, _) = outcome else { Issue.record("entry \(i) not appended"); continue }
            #expect(seq == UInt64(i + 1))
            #expect(id == drafts[i].id)
        }
        let checkpoints = try t.hub.store.checkpoints(origin: t.hub.origin)
        #expect(checkpoints.count == (drafts.count + 99) / 100)
        #expect(checkpoints.last?.size == UInt64(drafts.count))
        let entries = try t.entries()
        #expect(entries.map(\.envelope.seq) == Array(1...UInt64(drafts.count)))
        let tree = MerkleTree(leafHashes: entries.map(\.leafHash))
        for checkpoint in checkpoints {
            #expect(checkpoint.rootHash == (try tree.root(treeSize: checkpoint.size)))
            let opened = try SignedCheckpoint.open(checkpoint.note, verifier: t.hub.verifier)
            #expect(opened.isVerified)
        }
        #expect(try t.hub.store.entry(id: drafts[5].id!)?.entry.envelope.seq == 6)
        // The read models catch up when the import ends, with nobody asking.
        #expect(try await Self.readModels(of: t.hub, reach: Int64(drafts.count)))
    }

    /// A pulled import records chunk after chunk in order, an empty chunk is skipped, and a chunk
    /// that fails its checks stops it: the chunks before it are durable, nothing of it is written.
    @Test func aPulledImportStopsAtTheFirstBadChunkWithTheChunksBeforeItRecorded() async throws {
        let t = try TestHub()
        let drafts = TestHub.drafts(members: 30)
        var bad = drafts[0]
        bad.payload = .object([:])  // fails its schema
        let chunks: [[EntryDraft]] = [Array(drafts[0..<25]), [], Array(drafts[25..<50]), [drafts[50], bad, drafts[51]], Array(drafts[52...])]
        let served = Mutex(0)
        let heard = Mutex<[Int]>([])
        await #expect(throws: (any Error).self) {
            try await t.hub.recordBulk(pulling: {
                served.withLock { n in
                    defer { n += 1 }
                    return n < chunks.count ? chunks[n] : nil
                }
            }, each: { outcomes in heard.withLock { $0.append(outcomes.count) } })
        }
        #expect(heard.withLock { $0 } == [25, 25])
        // Nobody asks for a catch-up: the import scheduled one as it stopped.
        #expect(try await Self.readModels(of: t.hub, reach: 50))
        let entries = try t.entries()
        #expect(entries.map(\.envelope.id) == drafts[0..<50].map(\.id))
        #expect(try t.hub.store.latestCheckpoint(origin: t.hub.origin)?.size == 50)
        // The same drafts in one pulled run, with the bad chunk left out, continue the log.
        let rest = Mutex<[[EntryDraft]]>([[drafts[50], drafts[51]], Array(drafts[52...])])
        try await t.hub.recordBulk(pulling: { rest.withLock { $0.isEmpty ? nil : $0.removeFirst() } }, each: { _ in })
        #expect(try t.entries().map(\.envelope.id) == drafts.map(\.id))
    }

    @Test func proofsFromTilesEqualProofsFromTheWholeTree() async throws {
        let t = try TestHub()
        var rng = SystemRandomNumberGenerator()
        let drafts = TestHub.drafts(members: 120)
        var start = 0
        while start < drafts.count {  // uneven batches leave partial tiles and odd checkpoint sizes
            let n = Int.random(in: 1...90, using: &rng)
            _ = try await t.hub.recordBulk(Array(drafts[start..<min(drafts.count, start + n)]))
            start += n
        }
        let entries = try t.entries()
        #expect(entries.count > 512)  // more than two full tiles
        let tree = MerkleTree(leafHashes: entries.map(\.leafHash))
        let sizes = try t.hub.store.checkpoints(origin: t.hub.origin).map(\.size)
        for (old, new) in zip(sizes, sizes.dropFirst()) {
            let proof = try t.hub.store.consistencyProof(origin: t.hub.origin, from: old, to: new)
            #expect(proof == (try tree.consistencyProof(from: old, to: new)))
            #expect(proof.verify(oldRoot: try tree.root(treeSize: old), newRoot: try tree.root(treeSize: new)).isValid)
        }
        for _ in 0..<200 {
            let size = sizes.randomElement(using: &rng)!
            let seq = UInt64.random(in: 1...size, using: &rng)
            let proof = try t.hub.store.inclusionProof(origin: t.hub.origin, seq: seq, treeSize: size)
            #expect(proof == (try tree.inclusionProof(leafIndex: seq - 1, treeSize: size)))
            #expect(proof.verify(leafHash: entries[Int(seq - 1)].leafHash, rootHash: try tree.root(treeSize: size)).isValid)
        }
        #expect(throws: StoreError.self) { try t.hub.store.inclusionProof(origin: t.hub.origin, seq: 0, treeSize: 5) }
        #expect(throws: StoreError.self) { try t.hub.store.inclusionProof(origin: "nobody", seq: 1, treeSize: 1) }
    }

    @Test func reopeningRestoresTreeTilesAndClock() async throws {
        let temp = try TemporaryDirectory()
        let dir = DataDirectory(path: temp.path("hub"))
        let drafts = TestHub.drafts(members: 60)
        let half = drafts.count / 2 + 37
        do {
            let hub = try Hub.create(directory: dir, origin: "test.example.org/hub/reopen")
            _ = try await hub.recordBulk(Array(drafts[..<half]))
        }
        let hub = try Hub(directory: dir)
        for draft in drafts[half..<(half + 20)] { _ = try await hub.record(draft) }
        _ = try await hub.recordBulk(Array(drafts[(half + 20)...]))
        let entries = try hub.store.entries(origin: hub.origin, fromSeq: 1, limit: Int.max).map(\.entry)
        #expect(entries.count == drafts.count)
        let tree = MerkleTree(leafHashes: entries.map(\.leafHash))
        #expect(try hub.store.latestCheckpoint(origin: hub.origin)?.rootHash == tree.rootHash)
        #expect(try hub.store.rootHash(origin: hub.origin, size: UInt64(entries.count)) == tree.rootHash)
        for (a, b) in zip(entries, entries.dropFirst()) { #expect(a.envelope.hlc < b.envelope.hlc) }
        #expect(try await hub.verify().ok)
    }

    @Test func optimisticConcurrencyRefusesAStaleExpectedSize() async throws {
        let t = try TestHub()
        let drafts = TestHub.drafts(members: 3)
        _ = try await t.hub.recordBulk(Array(drafts[0..<4]))
        let ok = try await t.hub.record(drafts[4], expectedSize: 4)
        #expect(ok == .appended(seq: 5, id: drafts[4].id!, checkpointSize: 5))
        let stale = try await t.hub.record(drafts[5], expectedSize: 4)
        #expect(stale == .conflict(expectedSize: 4, actualSize: 5))
        #expect(try t.entries().count == 5)
        #expect(try t.hub.store.entry(id: drafts[5].id!) == nil)
    }

    @Test func aDuplicateEventIDIsRefusedAndNothingOfItsBatchIsWritten() async throws {
        let t = try TestHub()
        let drafts = TestHub.drafts(members: 3)
        _ = try await t.hub.recordBulk(Array(drafts[0..<3]))
        await #expect(throws: StoreError.self) { _ = try await t.hub.recordBulk([drafts[3], drafts[1]]) }
        #expect(try t.entries().count == 3)
        #expect(try t.hub.store.checkpoints(origin: t.hub.origin).count == 1)
        _ = try await t.hub.recordBulk([drafts[3]])  // the store is still usable, at the right size
        #expect(try t.entries().map(\.envelope.seq) == [1, 2, 3, 4])
    }
}

/// The catch-up applies the envelopes of entries just committed without parsing their bytes again.
@Suite struct RecentEnvelopesTests {
    @Test func modelsFromHandedOverEnvelopesEqualModelsFromTheBytes() async throws {
        let t = try TestHub()
        let drafts = TestHub.drafts(members: 60)
        let half = drafts.count / 2
        _ = try await t.hub.recordBulk(Array(drafts[..<half]), chunk: 37)
        // A batch that fails (an id already in the log) is rolled back: the arrivals it used are
        // reused by the next commit, so nothing of it may be handed over.
        await #expect(throws: StoreError.self) { _ = try await t.hub.recordBulk([drafts[half], drafts[0]]) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for draft in drafts[half...] { group.addTask { _ = try await t.hub.record(draft) } }
            try await group.waitForAll()
        }
        try t.hub.settleProjections()
        #expect(t.hub.store.recent.count == 0)   // every one taken, or dropped once applied
        let caughtUp = try t.hub.projections.digests()
        _ = try t.hub.projections.rebuild()       // from the stored bytes alone
        #expect(try t.hub.projections.digests() == caughtUp)
    }

    @Test func theCacheKeepsWhatFitsAndDropsWhatWasApplied() async throws {
        let t = try TestHub()
        _ = try await t.hub.recordBulk(Array(TestHub.drafts(members: 2).prefix(5)))
        let envelopes = try t.entries().enumerated().map { i, entry in (arrival: Int64(i + 1), envelope: entry.envelope) }
        let recent = RecentEnvelopes(limit: 3)
        recent.add(envelopes)
        #expect(recent.count == 3)                       // the oldest three: a catch-up needs them first
        #expect(recent.take([2, 5]).keys.sorted() == [2])
        #expect(recent.count == 2)
        recent.discard(through: 1)
        #expect(recent.take([1, 3]).keys.sorted() == [3])
        #expect(recent.count == 0)
    }
}
