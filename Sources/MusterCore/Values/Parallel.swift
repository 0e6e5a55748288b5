import Foundation
import Synchronization

/// Work split over every core.
public enum Parallel {
    /// `transform` over `items` (with each one's index), in order, split over every core; on one
    /// core when there are fewer than `minimum` items.
    ///
    /// The items go out in a few slices per core (each of at least `minimum` items), not one: a
    /// caller that does other work on the same pool while this runs (an audit folds one step while
    /// the next is checked) then holds up a small slice, not half of the work.
    @inlinable  // specialised where it is called: items and results are then copied as what they are
    public static func map<T: Sendable, R: Sendable>(_ items: [T], minimum: Int = 1,
                                                     _ transform: @escaping @Sendable (Int, T) throws -> R) async throws -> [R] {
        let workers = items.count < minimum ? 1 : min(cores * 4, max(cores, items.count / max(1, minimum)))
        let per = (items.count + workers - 1) / workers
        if workers == 1 { return try items.enumerated().map { try transform($0.offset, $0.element) } }
        let out = Output<R>(count: items.count)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<workers where w * per < items.count {
                let range = (w * per)..<min(items.count, (w + 1) * per)
                group.addTask { try out.fill(range) { try transform($0, items[$0]) } }
            }
            try await group.waitForAll()
        }
        return out.take()
    }

    /// `transform` over `items`, in order, one item per task on every core (the cores take them
    /// as they come free), blocking the caller: for a few large, independent pieces of synchronous
    /// work. Every item is run; the first error thrown is rethrown once all are done.
    public static func mapBlocking<T: Sendable, R: Sendable, E: Error>(_ items: [T], _ transform: @Sendable (T) throws(E) -> R) throws(E) -> [R] {
        guard items.count > 1 else { return try items.map(transform) }
        let out = Output<R>(count: items.count)
        let failure = Mutex<E?>(nil)
        perform(items.count) { i in
            do throws(E) {
                (out.base + i).initialize(to: try transform(items[i]))
                out.filled(i..<(i + 1))
            } catch {
                failure.withLock { $0 = $0 ?? error }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return out.take()
    }

    /// `transform` over `items`, in order, in one contiguous slice per core, blocking the caller;
    /// on the caller's thread when there are fewer than `minimum` items. The first error thrown is
    /// rethrown once every slice is done.
    @inlinable
    public static func mapChunked<T: Sendable, R: Sendable>(_ items: [T], minimum: Int = 256,
                                                            _ transform: @Sendable (T) throws -> R) throws -> [R] {
        let workers = items.count < minimum ? 1 : cores
        if workers == 1 { return try items.map(transform) }
        let per = (items.count + workers - 1) / workers
        let out = Output<R>(count: items.count)
        perform(workers) { w in
            let range = min(items.count, w * per)..<min(items.count, (w + 1) * per)
            do { try out.fill(range) { try transform(items[$0]) } } catch { out.fail(error) }
        }
        try out.rethrow()
        return out.take()
    }

    /// The cores to use, read once: on Linux, Foundation's `activeProcessorCount` reads the
    /// cgroup's CPU files each time it is asked (an open, a read and a close of two files), and a
    /// group commit asked on every batch (`strace`: 3,276 opens in 790 commits).
    public static let cores: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    @usableFromInline static func perform(_ iterations: Int, _ body: @Sendable (Int) -> Void) {
        DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
    }

    /// The results of a parallel map, written in place by the slices (each its own range), then
    /// moved into one array: no part is copied, and no result retained and released on the way.
    @usableFromInline final class Output<R>: @unchecked Sendable {
        @usableFromInline let base: UnsafeMutablePointer<R>
        @usableFromInline let count: Int
        /// The ranges whose results are in place (to deinitialise if they are never taken).
        private let done = Mutex<[Range<Int>]>([])
        private let failure = Mutex<(any Error)?>(nil)
        private var taken = false

        @inlinable init(count: Int) {
            self.count = count
            base = .allocate(capacity: max(1, count))
        }

        /// Writes `result(i)` at every index of `range` (ranges of different calls never overlap).
        @inlinable func fill(_ range: Range<Int>, _ result: (Int) throws -> R) rethrows {
            var i = range.lowerBound
            do {
                while i < range.upperBound {
                    (base + i).initialize(to: try result(i))
                    i += 1
                }
            } catch {
                (base + range.lowerBound).deinitialize(count: i - range.lowerBound)
                throw error
            }
            filled(range)
        }

        /// Records that `range` is in place.
        @usableFromInline func filled(_ range: Range<Int>) { done.withLock { $0.append(range) } }

        /// Keeps the first error a slice met.
        @usableFromInline func fail(_ error: any Error) { failure.withLock { $0 = $0 ?? error } }

        /// Throws the first error a slice met, if any.
        @usableFromInline func rethrow() throws { if let error = failure.withLock({ $0 }) { throw error } }

        /// Checks that every range is in place and marks the results taken; call once.
        @usableFromInline func markTaken() {
            precondition(!taken && done.withLock { $0.reduce(0) { $0 + $1.count } } == count, "parallel map taken before it was filled")
            taken = true
        }

        /// The results in order; call once, after every range was filled.
        @inlinable func take() -> [R] {
            markTaken()
            return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
                buffer.baseAddress!.moveInitialize(from: base, count: count)
                initialized = count
            }
        }

        deinit {
            if !taken { for range in done.withLock({ $0 }) { (base + range.lowerBound).deinitialize(count: range.count) } }
            base.deallocate()
        }
    }
}
