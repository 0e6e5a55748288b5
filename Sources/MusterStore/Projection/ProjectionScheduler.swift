import Foundation
import Synchronization

/// Runs the read models' catch-up in the background after commits: one run at a time, and one
/// more after it if commits came meanwhile — started no sooner than ``pause`` after the one
/// before, so under sustained load each run takes many commits and the log's writer is taken
/// for the read models once per run, not once per commit. Runs go on a thread of their own.
final class ProjectionScheduler: Sendable {
    private struct State {
        var running = false
        var again = false
    }

    private let engine: ProjectionEngine
    private let state = Mutex(State())

    /// The least time from the start of one run to the start of the next, when commits keep
    /// coming. A commit on a quiet hub is applied at once; under sustained load the read models
    /// (and the HTTP API's reports, read from them) trail the log by at most about this plus a
    /// run's own time. A run has a cost of its own besides its entries', so fewer, larger runs
    /// leave the appends more CPU (ARCHITECTURE.md, data flow step 7, has the figures).
    let pause: Duration

    init(engine: ProjectionEngine, pause: Duration = .milliseconds(400)) {
        self.engine = engine
        self.pause = pause
    }

    func schedule() {
        let start = state.withLock { s -> Bool in
            if s.running { s.again = true; return false }
            s.running = true
            return true
        }
        guard start else { return }
        let pause = self.pause
        // A thread of its own: a run blocks for as long as it writes (hundreds of milliseconds
        // under load), which a task would do on one of the cooperative pool's few threads (two,
        // on two cores), keeping the appends' tasks from it meanwhile.
        let thread = Thread { [self] in
            while true {
                let started = ContinuousClock.now
                // A failure here is met again, and reported, by the next explicit catch-up
                // (`muster report`, `muster replay`); a background run has no one to tell.
                _ = try? engine.catchUp()
                let again = state.withLock { s -> Bool in
                    if s.again { s.again = false; return true }
                    s.running = false
                    return false
                }
                if !again { return }
                // Commits came during the run: under sustained load, the next run waits out the
                // rest of `pause`, so it takes many commits' entries in one write.
                let rest = started + pause - ContinuousClock.now
                if rest > .zero { Thread.sleep(forTimeInterval: rest / .seconds(1)) }
            }
        }
        thread.name = "muster.catch-up"
        thread.start()
    }
}
