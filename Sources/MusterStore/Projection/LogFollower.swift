import Dispatch
import Synchronization

/// Tells a rebuild that follows a growing log (``ProjectionEngine/rebuild(following:)``) that the
/// log grew, and that it will grow no more for it: a long pull says so after each batch it commits
/// and once when it ends.
public final class LogFollower: Sendable {
    private let finished = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)

    public init() {}

    /// Entries were committed.
    public func grew() { wake.signal() }

    /// No more entries are coming for the rebuild: it stages what the log holds now, then folds.
    public func finish() {
        finished.store(true, ordering: .sequentiallyConsistent)
        wake.signal()
    }

    var isFinished: Bool { finished.load(ordering: .sequentiallyConsistent) }

    /// Waits until ``grew()`` or ``finish()`` is called, or briefly (a commit made by someone
    /// else, who does not call ``grew()``, is seen within that time).
    func waitForGrowth() { _ = wake.wait(timeout: .now() + .milliseconds(50)) }
}

/// A rebuild of the read models running on a thread of its own while the log grows under it
/// (``Hub/followingRebuild()``).
public final class FollowingRebuild: Sendable {
    private let follower = LogFollower()
    private enum Outcome { case running, waiting(CheckedContinuation<ReplayReport, any Error>), done(Result<ReplayReport, any Error>) }
    private let outcome = Mutex(Outcome.running)

    init(_ engine: ProjectionEngine) {
        let follower = self.follower
        DispatchQueue.global().async { [self] in
            let result = Result { try engine.rebuild(following: follower) }
            let waiting = outcome.withLock { o -> CheckedContinuation<ReplayReport, any Error>? in
                if case .waiting(let c) = o { return c }
                o = .done(result)
                return nil
            }
            waiting?.resume(with: result)
        }
    }

    /// Entries were committed: the rebuild stages them.
    public func grew() { follower.grew() }

    /// Says no more entries are coming, and waits (without holding a thread) for the rebuild to
    /// stage what the log holds, fold it and swap the models in.
    public func finish() async throws -> ReplayReport {
        follower.finish()
        return try await withCheckedThrowingContinuation { c in
            let done = outcome.withLock { o -> Result<ReplayReport, any Error>? in
                if case .done(let r) = o { return r }
                o = .waiting(c)
                return nil
            }
            if let done { c.resume(with: done) }
        }
    }
}
