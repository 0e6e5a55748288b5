/// What a follower logs of a condition that persists: a peer that is down, or one of an earlier
/// version that does not serve subject keys, fails the same way at every poll. The first failure
/// is logged; the same failure again is logged only as a reminder, with how often it happened,
/// once per ``remindEvery``; a different failure is logged at once; and recovery is logged once.
struct RepeatedWarning {
    /// How often a failure that keeps repeating is logged again.
    let remindEvery: Duration
    private var last: (message: String, repeats: Int, logged: ContinuousClock.Instant)?

    init(remindEvery: Duration = .seconds(600)) { self.remindEvery = remindEvery }

    /// The line to log for a failure happening at `now`, or nil to stay quiet.
    mutating func failed(_ message: String, at now: ContinuousClock.Instant = .now) -> String? {
        guard var held = last, held.message == message else {
            last = (message, 0, now)
            return message
        }
        held.repeats += 1
        defer { last = held }
        guard now - held.logged >= remindEvery else { return nil }
        held.logged = now
        return "\(message) (still failing: \(held.repeats + 1) times in a row)"
    }

    /// The line to log for a success, or nil when nothing had failed.
    mutating func succeeded() -> String? {
        guard let held = last else { return nil }
        last = nil
        return "recovered after \(held.repeats + 1) failures in a row (last: \(held.message))"
    }
}
