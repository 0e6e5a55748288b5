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
///
/// Pulls that start while it still follows the log join it rather than start a rebuild of their
/// own: it follows until the last of them finishes, then folds once, and every one of them waits
/// for that. (A second rebuild would have waited for the engine's turn on a thread, then staged
/// and folded the whole log again: a new hub pulling several large logs at once rebuilt once per
/// log.)
public final class FollowingRebuild: Sendable {
    private let follower = LogFollower()
    private struct State {
        /// Pulls that joined and have not finished; `nil` once the last finished.
        var pulls: Int? = 1
        var outcome: Result<ReplayReport, any Error>?
        var waiting: [CheckedContinuation<ReplayReport, any Error>] = []
    }
    private let state = Mutex(State())

    init(_ engine: ProjectionEngine) {
        let follower = self.follower
        DispatchQueue.global().async { [self] in
            let result = Result { try engine.rebuild(following: follower) }
            let waiting = state.withLock { s in
                s.outcome = result
                defer { s.waiting = [] }
                return s.waiting
            }
            for continuation in waiting { continuation.resume(with: result) }
        }
    }

    /// Another pull joins the rebuild; false if it no longer follows the log (every pull that
    /// joined has finished, or it ended), and a new one must start.
    func join() -> Bool {
        state.withLock { s in
            guard s.outcome == nil, let pulls = s.pulls else { return false }
            s.pulls = pulls + 1
            return true
        }
    }

    /// Entries were committed: the rebuild stages them.
    public func grew() { follower.grew() }

    /// Says this pull has no more entries for it, and waits (without holding a thread) until the
    /// rebuild has staged what the log holds once the last pull that joined it finished, folded it
    /// and swapped the models in. Call once per pull.
    public func finish() async throws -> ReplayReport {
        let last = state.withLock { s -> Bool in
            guard let pulls = s.pulls else { return false }
            s.pulls = pulls > 1 ? pulls - 1 : nil
            return pulls <= 1
        }
        if last { follower.finish() }
        return try await withCheckedThrowingContinuation { continuation in
            let done = state.withLock { s -> Result<ReplayReport, any Error>? in
                if let outcome = s.outcome { return outcome }
                s.waiting.append(continuation)
                return nil
            }
            if let done { continuation.resume(with: done) }
        }
    }
}
