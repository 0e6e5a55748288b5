/// A hybrid logical clock stamp (Kulkarni et al., 2014): wall-clock milliseconds plus a counter,
/// so that an event recorded after seeing another always stamps later, even when the two hubs'
/// clocks disagree. Ties between hubs are broken by origin, then event id, by the projections.
public struct HLCStamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Physical part: the largest wall-clock time (Unix ms) seen.
    public let wallMillis: Int64
    /// Logical part: orders events within one millisecond.
    public let counter: Int64

    /// A stamp from its parts.
    public init(wallMillis: Int64, counter: Int64) {
        self.wallMillis = wallMillis
        self.counter = counter
    }

    public static func < (lhs: HLCStamp, rhs: HLCStamp) -> Bool {
        (lhs.wallMillis, lhs.counter) < (rhs.wallMillis, rhs.counter)
    }

    public var description: String { "\(wallMillis).\(counter)" }
}

/// The clock itself: issues stamps for local events and advances past stamps received from peers.
public struct HybridLogicalClock: Sendable {
    /// The last stamp issued or observed.
    public private(set) var last: HLCStamp

    /// A clock that has seen `last` (zero for a new hub).
    public init(last: HLCStamp = HLCStamp(wallMillis: 0, counter: 0)) { self.last = last }

    /// A stamp for a local event at wall time `now` (Unix ms).
    public mutating func tick(now: Int64) -> HLCStamp {
        last = now > last.wallMillis ? HLCStamp(wallMillis: now, counter: 0)
            : HLCStamp(wallMillis: last.wallMillis, counter: last.counter + 1)
        return last
    }

    /// Advances past a stamp seen in another hub's entry.
    public mutating func observe(_ remote: HLCStamp, now: Int64) {
        let wall = max(now, last.wallMillis, remote.wallMillis)
        let counter: Int64 =
            if wall == last.wallMillis && wall == remote.wallMillis { max(last.counter, remote.counter) + 1 }
            else if wall == last.wallMillis { last.counter + 1 }
            else if wall == remote.wallMillis { remote.counter + 1 }
            else { 0 }
        last = HLCStamp(wallMillis: wall, counter: counter)
    }
}
