import Foundation
import MusterCore
@testable import MusterStore
import Testing

/// The read models' background catch-up, on a thread of its own: it brings the models up to date
/// without anyone asking.
@Suite struct ProjectionSchedulerTests {
    /// Appends from many tasks, with no explicit catch-up: the background one applies them all.
    @Test func theBackgroundCatchUpReachesTheLogsEnd() async throws {
        let t = try TestHub()
        let hub = t.hub
        let drafts = TestHub.drafts(members: 40).filter { $0.type != SubjectErased.schema.type }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<8 {
                group.addTask { for i in stride(from: w, to: drafts.count, by: 8) { _ = try await hub.record(drafts[i]) } }
            }
            try await group.waitForAll()
        }
        let size = Int64(drafts.count)  // one origin: arrival positions are its seqs
        let deadline = ContinuousClock.now + .seconds(30)
        while try hub.projections.status().contains(where: { $0.position < size }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let positions = try hub.projections.status().map(\.position)
        #expect(positions.allSatisfy { $0 == size }, "read models at \(positions), the log at \(size)")
    }
}
