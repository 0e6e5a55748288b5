import Foundation
import GRDB
import MusterCore
@testable import MusterStore
import MusterTesting
import Testing

@Suite struct GroupCommitTests {
    @Test func machineBatchesWhatQueuesWhileAFlushIsInFlight() {
        var m = GroupCommitMachine<Int>(maximumBatch: 3)
        func leader(_ action: GroupCommitMachine<Int>.Action) -> Int? {
            if case .lead(let w) = action { return w }
            return nil
        }
        #expect(leader(m.enqueue(1)) == 1)  // an idle log: the first append leads
        // What queues before the leader starts joins its batch.
        #expect(leader(m.enqueue(2)) == nil)
        #expect(m.takeBatch() == [1, 2])
        for i in 3...7 { #expect(leader(m.enqueue(i)) == nil, "no second leader while a batch is in flight") }
        #expect(leader(m.flushCompleted()) == 3)  // the head of the queue leads the next batch
        #expect(m.takeBatch() == [3, 4, 5])  // at most maximumBatch
        #expect(leader(m.flushCompleted()) == 6)
        #expect(leader(m.enqueue(8)) == nil)  // arrives while the named leader waits to run
        #expect(m.takeBatch() == [6, 7, 8])
        #expect(leader(m.flushCompleted()) == nil)
        #expect(!m.isFlushing)  // idle after the queue drains
        #expect(leader(m.enqueue(9)) == 9)
        #expect(m.takeBatch() == [9])
    }

    @Test func concurrentAppendsShareCheckpointsAndAllLand() async throws {
        let t = try TestHub()
        let drafts = TestHub.drafts(members: 80).filter { $0.type != SubjectErased.schema.type }
        let n = min(640, drafts.count)
        let hub = t.hub
        let outcomes = try await withThrowingTaskGroup(of: [AppendOutcome].self) { group in
            for w in 0..<64 {
                group.addTask {
                    var mine: [AppendOutcome] = []
                    for i in stride(from: w, to: n, by: 64) { mine.append(try await hub.record(drafts[i])) }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        var seqs: [UInt64] = []
        for case .appended(let seq, _, let covered) in outcomes {
            seqs.append(seq)
            #expect(covered >= seq)  // acknowledged only once a checkpoint covers it
        }
        #expect(seqs.sorted() == Array(1...UInt64(n)))
        let checkpoints = try t.hub.store.checkpoints(origin: t.hub.origin).count
        #expect(checkpoints < n)  // group commit: fewer signatures than appends
        #expect(try await hub.verify().ok)
    }

    /// The leader checks and seals its whole batch: a draft that fails fails its own caller, the
    /// rest of the batch lands, and every new subject's key is durable with the entries sealed
    /// under it (a hub opened afresh reads it).
    @Test func aBadDraftFailsOnlyItsOwnCallerInABatch() async throws {
        let t = try TestHub()
        let good = TestHub.drafts(members: 40).filter { $0.type != SubjectErased.schema.type }.prefix(120)
        var bad = Array(good.filter { $0.subject != nil }.prefix(8))
        for i in bad.indices { bad[i].subject = nil; bad[i].id = nil }   // a subject is required: a schema violation
        let drafts = Array(good) + bad
        let hub = t.hub
        let results = await withTaskGroup(of: [(Int, Bool, (any Error)?)].self) { group in
            for w in 0..<32 {
                group.addTask {
                    var mine: [(Int, Bool, (any Error)?)] = []
                    for i in stride(from: w, to: drafts.count, by: 32) {
                        do { _ = try await hub.record(drafts[i]); mine.append((i, true, nil)) } catch { mine.append((i, false, error)) }
                    }
                    return mine
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(results.count == drafts.count)
        for (i, landed, error) in results {
            if i < good.count {
                #expect(landed, "good draft \(i) failed: \(String(describing: error))")
            } else {
                #expect(!landed && error is CoreError, "bad draft \(i): \(String(describing: error))")
            }
        }
        let entries = try t.entries()
        #expect(entries.count == good.count)
        #expect(try await hub.verify().ok)
        // Every subject sealed for has its key on disk.
        let sealedFor = Set(entries.compactMap { $0.envelope.sealed == nil ? nil : $0.envelope.subject })
        #expect(!sealedFor.isEmpty)
        let reopened = try FileSubjectKeyStore(path: t.directory.subjectKeysPath, kek: t.directory.keystoreKey())
        for subject in sealedFor {
            guard case .active = try reopened.lookup(subject) else { Issue.record("no key for \(subject)"); continue }
        }
    }
    /// No entry is durable before its subject's key. While the key store cannot be written
    /// (another connection holds its write lock), a record sealed under a new key fails, a
    /// batch of them fails, an import fails, and the log stays empty; once the lock is gone they
    /// land, with every key on disk. (The commit waits for the key flush in its own transaction.)
    @Test func nothingLandsWhileItsSubjectKeysCannotBeWritten() async throws {
        let t = try TestHub()
        let hub = t.hub
        let sealed = Array(TestHub.drafts(members: 40).filter { $0.personal != nil && $0.subject != nil }.prefix(24))
        #expect(sealed.count == 24)
        var held = Configuration()
        held.allowsUnsafeTransactions = true  // the lock is held across accesses
        let blocker = try DatabaseQueue(path: t.directory.subjectKeysPath, configuration: held)
        try blocker.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }

        await #expect(throws: (any Error).self) { try await hub.record(sealed[0]) }
        let failures = await withTaskGroup(of: Bool.self) { group in
            for draft in sealed[1..<12] { group.addTask { (try? await hub.record(draft)) == nil } }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(failures == 11)
        await #expect(throws: (any Error).self) { try await hub.recordBulk(Array(sealed[12...]), chunk: 4) }
        #expect(try t.entries().isEmpty)
        #expect(try hub.store.checkpoints(origin: hub.origin).allSatisfy { $0.size == 0 })

        try blocker.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        for draft in sealed[..<12] { _ = try await hub.record(draft) }
        _ = try await hub.recordBulk(Array(sealed[12...]), chunk: 4)
        #expect(try t.entries().count == sealed.count)
        #expect(try await hub.verify().ok)
        let reopened = try FileSubjectKeyStore(path: t.directory.subjectKeysPath, kek: t.directory.keystoreKey())
        for subject in Set(sealed.compactMap(\.subject)) {
            guard case .active = try reopened.lookup(subject) else { Issue.record("no key on disk for \(subject)"); continue }
        }
    }

    /// An erasure's key is destroyed before the batch after it is sealed, and a draft after the
    /// erasure in its own batch is refused: while 32 tasks keep recording personal data about a
    /// subject, another erases them, and no entry sealed for them lands after the erasure.
    @Test func nothingIsSealedForASubjectAfterItsErasure() async throws {
        let t = try TestHub()
        let hub = t.hub
        let joined = try #require(TestHub.drafts(members: 5).first { $0.type == MemberJoined.schema.type })
        let subject = try #require(joined.subject)
        _ = try await hub.record(joined)
        let erasure = try EntryDraft(SubjectErased(requestedOn: try CalendarDate("2026-01-01"), basis: "gdpr-art17"),
                                     subject: subject, operatorID: "op-erase")
        let refused = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    for _ in 0..<2_000 {
                        var again = joined
                        again.id = nil
                        do { _ = try await hub.record(again) } catch let error as CoreError where error.code == .subjectKeyUnavailable { return 1 }
                    }
                    return 0
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(30))
                _ = try await hub.record(erasure)
                return 0
            }
            return try await group.reduce(0, +)
        }
        #expect(refused == 32, "every writer is refused once the subject is erased")
        let entries = try t.entries().filter { $0.envelope.subject == subject }
        let erasedAt = try #require(entries.first { $0.envelope.type == SubjectErased.schema.type }).envelope.seq
        #expect(entries.count > 2, "the writers recorded before the erasure")
        let sealedAfter = entries.filter { $0.envelope.sealed != nil && $0.envelope.seq > erasedAt }.map(\.envelope.seq)
        #expect(sealedAfter.isEmpty, "entries sealed for the subject after its erasure at \(erasedAt): \(sealedAfter)")
        #expect(try await hub.verify().ok)
    }

    /// An import that erases a subject and then records personal data about them fails at that
    /// draft, whether the two are in one chunk or in chunks one after the other.
    @Test func anImportRefusesPersonalDataAfterAnErasure() async throws {
        let joined = try #require(TestHub.drafts(members: 5).first { $0.type == MemberJoined.schema.type })
        let subject = try #require(joined.subject)
        var again = joined
        again.id = nil
        let erasure = try EntryDraft(SubjectErased(requestedOn: try CalendarDate("2026-01-01"), basis: "gdpr-art17"),
                                     subject: subject, operatorID: "op-erase")
        for chunk in [1, 16] {
            let t = try TestHub()
            await #expect(throws: CoreError.self, "chunk \(chunk)") {
                _ = try await t.hub.recordBulk([joined, erasure, again], chunk: chunk)
            }
            // One chunk: nothing of it lands. Chunks of one: the join and the erasure do.
            let types = try t.entries().map(\.envelope.type)
            #expect(types == (chunk == 1 ? [MemberJoined.schema.type, SubjectErased.schema.type] : []), "chunk \(chunk)")
            if chunk == 1 {
                let key = try t.hub.keys.lookup(subject)
                guard case .erased = key else { Issue.record("the erased subject's key is not destroyed: \(key)"); continue }
            }
        }
    }
}
