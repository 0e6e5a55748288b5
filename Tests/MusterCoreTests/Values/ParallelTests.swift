import MusterCore
import Synchronization
import Testing

/// The parallel maps write their results in place and move them into one array: every result in
/// its item's place, each made once and released once, also when a slice fails.
@Suite(.serialized) struct ParallelTests {
    /// Counts live instances, so a result copied, leaked or released twice shows.
    final class Tracked: Sendable {
        static let live = Atomic<Int>(0)
        let value: Int
        init(_ value: Int) { self.value = value; Self.live.add(1, ordering: .relaxed) }
        deinit { Self.live.subtract(1, ordering: .relaxed) }
    }

    struct Failure: Error, Equatable { let at: Int }

    @Test(arguments: [0, 1, 2, 7, 255, 256, 1_000, 4_097])
    func resultsAreInOrderAndEachMadeOnce(count: Int) async throws {
        let items = Array(0..<count)
        let mapped = try await Parallel.map(items, minimum: 16) { index, item in
            precondition(index == item)
            return Tracked(item * 3)
        }
        #expect(mapped.map(\.value) == items.map { $0 * 3 })
        let chunked = try Parallel.mapChunked(items, minimum: 16) { Tracked($0 + 1) }
        #expect(chunked.map(\.value) == items.map { $0 + 1 })
    }

    @Test func liveResultsAreReleasedOnceTheArraysGo() async throws {
        let before = Tracked.live.load(ordering: .relaxed)
        do {
            let mapped = try await Parallel.map(Array(0..<5_000), minimum: 64) { _, item in Tracked(item) }
            let chunked = try Parallel.mapChunked(Array(0..<5_000), minimum: 64) { Tracked($0) }
            #expect(Tracked.live.load(ordering: .relaxed) - before == 10_000)
            #expect(mapped.count + chunked.count == 10_000)
        }
        #expect(Tracked.live.load(ordering: .relaxed) == before)
    }

    @Test func aFailingItemThrowsAndReleasesWhatTheSlicesMade() async throws {
        let before = Tracked.live.load(ordering: .relaxed)
        let items = Array(0..<3_000)
        await #expect(throws: Failure(at: 2_222)) {
            _ = try await Parallel.map(items, minimum: 64) { _, item in
                if item == 2_222 { throw Failure(at: item) }
                return Tracked(item)
            }
        }
        #expect(throws: Failure(at: 1_500)) {
            _ = try Parallel.mapChunked(items, minimum: 64) { item in
                if item == 1_500 { throw Failure(at: item) }
                return Tracked(item)
            }
        }
        #expect(Tracked.live.load(ordering: .relaxed) == before)
    }
}
