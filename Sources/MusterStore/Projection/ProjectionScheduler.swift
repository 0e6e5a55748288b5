import Synchronization

/// Runs the read models' catch-up in the background after commits: one run at a time, and one
/// more after it if commits came meanwhile, so commits never wait for projections.
final class ProjectionScheduler: Sendable {
    private struct State {
        var running = false
        var again = false
    }

    private let engine: ProjectionEngine
    private let state = Mutex(State())

    init(engine: ProjectionEngine) { self.engine = engine }

    func schedule() {
        let start = state.withLock { s -> Bool in
            if s.running { s.again = true; return false }
            s.running = true
            return true
        }
        guard start else { return }
        Task.detached(priority: .utility) { [self] in
            while true {
                // A failure here is met again, and reported, by the next explicit catch-up
                // (`muster report`, `muster replay`); a background run has no one to tell.
                _ = try? engine.catchUp()
                let again = state.withLock { s -> Bool in
                    if s.again { s.again = false; return true }
                    s.running = false
                    return false
                }
                if !again { return }
            }
        }
    }
}
