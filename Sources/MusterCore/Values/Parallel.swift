import Foundation
import Synchronization

/// Work split over every core.
public enum Parallel {
    /// `transform` over `items` (with each one's index), in order, split over every core; on one
    /// core when there are fewer than `minimum` items.
    public static func map<T: Sendable, R: Sendable>(_ items: [T], minimum: Int = 1,
                                                     _ transform: @escaping @Sendable (Int, T) throws -> R) async throws -> [R] {
        let workers = items.count < minimum ? 1 : max(1, ProcessInfo.processInfo.activeProcessorCount)
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
            return parts.flatMap { $0 }
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
    public static func mapChunked<T: Sendable, R: Sendable>(_ items: [T], minimum: Int = 256,
                                                            _ transform: @Sendable (T) throws -> R) throws -> [R] {
        let workers = items.count < minimum ? 1 : max(1, ProcessInfo.processInfo.activeProcessorCount)
        if workers == 1 { return try items.map(transform) }
        let per = (items.count + workers - 1) / workers
        let parts = Mutex([[R]](repeating: [], count: workers))
        let failure = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let range = min(items.count, w * per)..<min(items.count, (w + 1) * per)
            do {
                let part = try items[range].map(transform)
                parts.withLock { $0[w] = part }
            } catch { failure.withLock { $0 = $0 ?? error } }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return parts.withLock { $0.flatMap { $0 } }
    }
}
