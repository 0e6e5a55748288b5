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
        return try await withThrowingTaskGroup(of: (Int, [R]).self) { group in
            for w in 0..<workers where w * per < items.count {
                let range = (w * per)..<min(items.count, (w + 1) * per)
                let part = Array(items[range])
                group.addTask { (w, try part.enumerated().map { try transform(range.lowerBound + $0.offset, $0.element) }) }
            }
            var parts = Array(repeating: [R](), count: workers)
            for try await (w, part) in group { parts[w] = part }
            return concatenated(parts, count: items.count)
        }
    }

    /// `transform` over `items`, in order, one item per task on every core, blocking the caller:
    /// for a few large, independent pieces of synchronous work.
    public static func mapBlocking<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        guard items.count > 1 else { return items.map(transform) }
        let results = Mutex([R?](repeating: nil, count: items.count))
        DispatchQueue.concurrentPerform(iterations: items.count) { i in
            let r = transform(items[i])
            results.withLock { $0[i] = r }
        }
        return results.withLock { $0.map { $0! } }
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
        let slots = Slots<R>(count: workers)
        perform(workers) { w in
            let range = min(items.count, w * per)..<min(items.count, (w + 1) * per)
            do { slots.put(w, try items[range].map(transform)) } catch { slots.fail(error) }
        }
        return try slots.joined(capacity: items.count)
    }

    /// The parts, in order, in one array of `count` elements.
    @usableFromInline static func concatenated<R>(_ parts: [[R]], count: Int) -> [R] {
        var out: [R] = []
        out.reserveCapacity(count)
        for part in parts { out += part }
        return out
    }

    /// The cores to use.
    @usableFromInline static var cores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    @usableFromInline static func perform(_ iterations: Int, _ body: @Sendable (Int) -> Void) {
        DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
    }

    /// Where the slices of ``mapChunked(_:minimum:_:)`` put their results, and the first error.
    @usableFromInline final class Slots<R: Sendable>: Sendable {
        private let parts: Mutex<[[R]]>
        private let failure = Mutex<(any Error)?>(nil)

        @usableFromInline init(count: Int) { parts = Mutex(Array(repeating: [], count: count)) }
        @usableFromInline func put(_ slice: Int, _ part: [R]) { parts.withLock { $0[slice] = part } }
        @usableFromInline func fail(_ error: any Error) { failure.withLock { $0 = $0 ?? error } }

        /// The slices in order, or the first error.
        @usableFromInline func joined(capacity: Int) throws -> [R] {
            if let error = failure.withLock({ $0 }) { throw error }
            return parts.withLock { Parallel.concatenated($0, count: capacity) }
        }
    }
}
