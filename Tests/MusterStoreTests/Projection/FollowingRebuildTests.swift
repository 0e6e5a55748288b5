import Foundation
import GRDB
import MusterCore
@testable import MusterStore
import MusterTesting
import Synchronization
import Testing

/// Pulls that overlap share one following rebuild: the second joins the first while it still
/// follows the log, the models are folded once, when the last of them finishes, and each waits
/// for that; a pull after that starts a rebuild of its own.
@Suite struct FollowingRebuildTests {
    @Test func overlappingPullsShareOneRebuildThatFoldsWhenTheLastFinishes() async throws {
        let temp = try TemporaryDirectory()
        let directory = DataDirectory(path: temp.path("hub"))
        _ = try directory.create(origin: "test.example.org/hub/a")
        var sizes = ProjectionEngine.Sizes()
        sizes.batch = 7; sizes.sortRun = 300
        let hub = try Hub(directory: directory, projectionSizes: sizes)
        let drafts = TestHub.drafts(members: 30)
        let (a, b) = (drafts.count / 3, 2 * drafts.count / 3)
        _ = try await hub.recordBulk(Array(drafts[..<a]))
        try hub.settleProjections()
        let generation = {
            try hub.projections.readViews { db in try Int64.fetchOne(db, sql: "SELECT generation FROM model_members.pj_state WHERE name = 'members'") } ?? 0
        }
        let before = try generation()

        let first = hub.followingRebuild()
        let second = hub.followingRebuild()
        #expect(first === second)
        _ = try await hub.recordBulk(Array(drafts[a..<b]))
        first.grew()
        let firstReturned = Flag()
        let firstDone = Task {
            defer { firstReturned.value.store(true, ordering: .sequentiallyConsistent) }
            return try await first.finish()
        }
        // The first pull has finished; the rebuild still follows the log for the second.
        try await Task.sleep(for: .milliseconds(200))
        let returnedEarly = firstReturned.value.load(ordering: .sequentiallyConsistent)
        #expect(!returnedEarly, "the rebuild folded before the second pull finished")
        _ = try await hub.recordBulk(Array(drafts[b...]))
        second.grew()
        let secondReport = try await second.finish()
        let firstReport = try await firstDone.value
        #expect(firstReport.entries == Int64(drafts.count))
        #expect(secondReport.entries == Int64(drafts.count))
        #expect(try generation() == before + 1, "one rebuild, not one per pull")
        #expect(try hub.projections.status().allSatisfy { $0.position == Int64(drafts.count) })

        // What it built is what a rebuild from the log builds.
        let built = try hub.projections.digests()
        _ = try hub.projections.rebuild()
        #expect(try hub.projections.digests() == built)

        // Once the last pull finished, the next one starts a rebuild of its own.
        let third = hub.followingRebuild()
        #expect(third !== first)
        #expect(try await third.finish().entries == Int64(drafts.count))
    }

    final class Flag: Sendable { let value = Atomic<Bool>(false) }
}
