import Foundation
@testable import MusterStore
import Synchronization
import Testing

/// The queue a rebuild fills each sorter through: items done in order on the feed's thread,
/// no more than `depth` waiting, and a failure stopping the rest and reaching the caller.
@Suite struct FeedTests {
    struct Failed: Error, Equatable { let item: Int }

    @Test func itemsAreDoneInOrderAndAllDoneWhenFinishReturns() throws {
        let seen = Mutex<[Int]>([])
        let feed = Feed<Int>(depth: 2) { n in seen.withLock { $0.append(n) } }
        for n in 0..<1_000 { try feed.put(n) }
        try feed.finish()
        #expect(seen.withLock { $0 } == Array(0..<1_000))
        try feed.finish()   // a second finish waits for nothing and throws nothing
    }

    @Test func putWaitsWhileDepthItemsAreStillToBeTaken() throws {
        let gate = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let feed = Feed<Int>(depth: 2) { _ in started.signal(); gate.wait() }
        try feed.put(0)          // taken: the thread waits at the gate with it
        started.wait()
        try feed.put(1)
        try feed.put(2)          // two waiting: the depth
        let third = Atomic<Bool>(false)
        let putter = Thread { try? feed.put(3); third.store(true, ordering: .sequentiallyConsistent) }
        putter.start()
        Thread.sleep(forTimeInterval: 0.2)
        let takenEarly = third.load(ordering: .sequentiallyConsistent)
        #expect(!takenEarly, "a third item waiting beyond the depth was taken")
        gate.signal()            // item 0 done: room for item 3
        for _ in 0..<3 { gate.signal() }
        while !third.load(ordering: .sequentiallyConsistent) { Thread.sleep(forTimeInterval: 0.01) }
        try feed.finish()
    }

    @Test func aFailureDropsTheRestAndIsThrownByPutAndFinish() throws {
        let seen = Mutex<[Int]>([])
        let feed = Feed<Int>(depth: 1) { n in
            if n == 3 { throw Failed(item: n) }
            seen.withLock { $0.append(n) }
        }
        var thrown: (any Error)?
        for n in 0..<100 {
            do { try feed.put(n) } catch { thrown = error; break }
        }
        #expect(throws: Failed(item: 3)) { try feed.finish() }
        // Items after the failure were not done; a put after it may or may not have seen it yet,
        // but any error it threw is the failure's.
        #expect(seen.withLock { $0 } == [0, 1, 2])
        if let thrown { #expect(thrown as? Failed == Failed(item: 3)) }
    }
}
