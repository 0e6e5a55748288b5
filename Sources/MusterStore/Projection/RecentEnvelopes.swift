import MusterCore
import Synchronization

/// The envelopes of entries this process has just committed, by arrival position, so the read
/// models' catch-up applies them without reading their bytes back and parsing them again.
///
/// The store adds a batch only after its transaction committed (a rolled-back insert's arrival
/// is reused by the next one). The catch-up takes what it finds and parses the rest from the
/// stored bytes, as it always can. The cache holds at most `limit` envelopes; when it is full, new
/// ones are not kept (the catch-up, which reads in arrival order, needs the older ones first), and
/// those a rebuild made unnecessary are dropped at the next catch-up.
final class RecentEnvelopes: Sendable {
    private let held = Mutex<[Int64: Envelope]>([:])
    let limit: Int

    init(limit: Int = 8_192) { self.limit = limit }

    /// Keeps committed entries' envelopes, as far as there is room.
    func add(_ arrived: [(arrival: Int64, envelope: Envelope)]) {
        guard !arrived.isEmpty else { return }
        held.withLock { held in
            for a in arrived where held.count < limit { held[a.arrival] = a.envelope }
        }
    }

    /// Removes and returns the envelopes held for these arrivals.
    func take(_ arrivals: some Sequence<Int64>) -> [Int64: Envelope] {
        held.withLock { held in
            guard !held.isEmpty else { return [:] }
            var out: [Int64: Envelope] = [:]
            for arrival in arrivals { if let e = held.removeValue(forKey: arrival) { out[arrival] = e } }
            return out
        }
    }

    /// Drops the envelopes at or before `position` (applied already, or by a rebuild).
    func discard(through position: Int64) {
        held.withLock { held in
            if !held.isEmpty { held = held.filter { $0.key > position } }
        }
    }

    /// How many are held (for tests).
    var count: Int { held.withLock { $0.count } }
}
