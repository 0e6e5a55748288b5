import Synchronization

/// Wakes long polls when a hub's heads change (a commit, a synced batch, a freeze, a roster).
public final class ChangeSignal: Sendable {
    private struct State {
        var version: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
        var closed = false
    }
    private let state = Mutex(State())

    /// A signal.
    public init() {}

    /// The number of changes so far.
    public var version: UInt64 { state.withLock { $0.version } }

    /// Records a change and wakes every waiter.
    public func bump() {
        let waiters = state.withLock { s in
            s.version += 1
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume() }
    }

    /// Wakes every waiter now and makes later waits return at once (the server is shutting down).
    public func close() {
        state.withLock { $0.closed = true }
        bump()
    }

    /// Returns after a change beyond `version`, or after `seconds`, whichever comes first.
    public func wait(after version: UInt64, seconds: Double) async {
        let id = state.withLock { s -> UInt64 in s.nextID += 1; return s.nextID }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let resumeNow = self.state.withLock { s -> Bool in
                        if s.version > version || s.closed { return true }
                        s.waiters[id] = c
                        return false
                    }
                    if resumeNow { c.resume() }
                }
            }
            group.addTask { try? await Task.sleep(for: .milliseconds(Int(seconds * 1000))) }
            await group.next()
            // Whoever finished first, release the other.
            let pending = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            pending?.resume()
            group.cancelAll()
        }
    }
}
