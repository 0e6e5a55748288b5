import Foundation
import MusterCore
@testable import MusterStore
import MusterTesting
import Testing

@Suite struct GroupCommitTests {
    @Test func machineBatchesWhatQueuesWhileAFlushIsInFlight() {
        var m = GroupCommitMachine<Int>(maximumBatch: 3)
        guard case .flush(let first) = m.enqueue(1) else { Issue.record("first append must flush"); return }
        #expect(first == [1])
        for i in 2...6 { if case .flush = m.enqueue(i) { Issue.record("no second flush while one is in flight") } }
        guard case .flush(let second) = m.flushCompleted() else { Issue.record("queued appends must flush"); return }
        #expect(second == [2, 3, 4])
        guard case .flush(let third) = m.flushCompleted() else { Issue.record("rest must flush"); return }
        #expect(third == [5, 6])
        guard case .none = m.flushCompleted() else { Issue.record("idle after the queue drains"); return }
        #expect(!m.isFlushing)
        guard case .flush(let again) = m.enqueue(7) else { Issue.record("a new append flushes again"); return }
        #expect(again == [7])
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
}
