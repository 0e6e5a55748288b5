import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Runs the read models' catch-up in the background after commits: one run at a time, and one
/// more after it if commits came meanwhile — started no sooner than ``pause`` after the one
/// before, so under sustained load each run takes many commits and the log's writer is taken
/// for the read models once per run, not once per commit. Runs go on a thread of their own, at a
/// lower priority than the appends (``lowerPriority()``).
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
        // A thread of its own, at a lower priority than the appends': see `lowerPriority()`.
        let thread = Thread { [self] in
            Self.lowerPriority()
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
                if rest > .zero { Thread.sleep(forTimeInterval: Double(rest.components.seconds) + Double(rest.components.attoseconds) * 1e-18) }
            }
        }
        thread.name = "muster.catch-up"
        thread.start()
    }

    /// Gives the calling thread (the catch-up's own) a nice value of 10: on a hub whose cores are
    /// all busy, the appends' group commit (its leader, the sealing and the log's writer) runs
    /// first, and the catch-up takes the time they leave (about a tenth of a core while they take
    /// all of it, so the read models still move on). Where the thread's priority cannot be
    /// lowered, it runs as before.
    static func lowerPriority() {
        #if canImport(Glibc)
        // On Linux the nice value is a thread's own, and `who` 0 names the calling thread. A
        // process already run nicer than that is left as it is.
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        errno = 0
        let current = getpriority(which, 0)
        if errno == 0, current < 10 { _ = setpriority(which, 0, 10) }
        #endif
    }
}
