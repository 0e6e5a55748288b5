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
}
