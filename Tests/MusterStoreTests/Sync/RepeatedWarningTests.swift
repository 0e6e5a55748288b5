@testable import MusterSync
import Testing

/// A follower's failure that persists is logged once, then as a reminder; a new one at once.
@Suite struct RepeatedWarningTests {
    @Test func aRepeatedFailureIsLoggedOnceThenAsAReminder() {
        var w = RepeatedWarning(remindEvery: .seconds(600))
        let t0 = ContinuousClock.now
        #expect(w.failed("peer unreachable", at: t0) == "peer unreachable")
        for i in 1...29 { #expect(w.failed("peer unreachable", at: t0 + .seconds(20 * i)) == nil) }
        // Ten minutes after it was last logged: a reminder with the count so far.
        #expect(w.failed("peer unreachable", at: t0 + .seconds(600)) == "peer unreachable (still failing: 31 times in a row)")
        #expect(w.failed("peer unreachable", at: t0 + .seconds(620)) == nil)
    }

    @Test func aDifferentFailureIsLoggedAtOnceAndRecoveryOnce() {
        var w = RepeatedWarning()
        let t0 = ContinuousClock.now
        #expect(w.succeeded() == nil)
        #expect(w.failed("a", at: t0) == "a")
        #expect(w.failed("a", at: t0 + .seconds(1)) == nil)
        #expect(w.failed("b", at: t0 + .seconds(2)) == "b")
        #expect(w.failed("b", at: t0 + .seconds(3)) == nil)
        #expect(w.succeeded() == "recovered after 2 failures in a row (last: b)")
        #expect(w.succeeded() == nil)
        // After recovery the same failure is news again.
        #expect(w.failed("b", at: t0 + .seconds(4)) == "b")
    }
}
