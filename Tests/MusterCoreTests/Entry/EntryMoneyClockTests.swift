@testable import MusterCore
import MusterDemo
import Testing

/// Money, currencies, constituencies and the hybrid logical clock.
@Suite struct EntryMoneyClockTests {
    // MARK: Money and Currency

    @Test(arguments: [Int64(-1), -5, Int64.min, 9_007_199_254_740_992, Int64.max])
    func outOfRangeAmountsAreRejected(minor: Int64) {
        #expect(throws: CoreError(.invalidValue, "")) { try Money(minor: minor, currency: .gbp) }
    }

    @Test func boundaryAmountsAreAccepted() throws {
        #expect(try Money(minor: 0, currency: .gbp).minor == 0)
        #expect(try Money(minor: 9_007_199_254_740_991, currency: .gbp).minor == Money.maxMinor)
    }

    @Test(arguments: ["XYZ", "gbp", "GB", "GBPX", "", "XXX", "EUR "])
    func unknownCurrenciesAreRejected(code: String) {
        #expect(throws: CoreError(.invalidValue, "")) { try Currency(code) }
    }

    @Test(arguments: [
        ("GBP", Int64(1250), "GBP 12.50"), ("GBP", 5, "GBP 0.05"), ("GBP", 0, "GBP 0.00"), ("GBP", 100, "GBP 1.00"),
        ("JPY", 1234, "JPY 1234"), ("JPY", 0, "JPY 0"), ("BHD", 1, "BHD 0.001"), ("BHD", 12_345, "BHD 12.345"),
        ("BHD", 10_000, "BHD 10.000"), ("CLF", 15, "CLF 0.0015"), ("GBP", 9_007_199_254_740_991, "GBP 90071992547409.91"),
    ])
    func amountsFormatWithTheCurrencysMinorUnits(code: String, minor: Int64, expected: String) throws {
        #expect(try Money(minor: minor, currency: Currency(code)).description == expected)
    }

    @Test func currencyListIsSortedUniqueAndUppercase() {
        let codes = Currency.allCodes
        #expect(codes == codes.sorted())
        #expect(Set(codes).count == codes.count)
        #expect(codes.allSatisfy { PatternLibrary.matcher(for: PatternLibrary.currency)!($0) })
        #expect(codes.contains("GBP") && codes.contains("EUR") && codes.contains("USD") && !codes.contains("XYZ"))
    }

    @Test func moneyDecodingValidatesLikeItsInitialiser() throws {
        let decoder = JSONValueDecoder()
        #expect(throws: (any Error).self) {
            try decoder.decode(Money.self, from: .object(["minor": .number(-5), "currency": .string("GBP")]))
        }
        #expect(throws: (any Error).self) {
            try decoder.decode(Money.self, from: .object(["minor": .number(5), "currency": .string("XYZ")]))
        }
        let ok = try decoder.decode(Money.self, from: .object(["minor": .number(5), "currency": .string("JPY")]))
        #expect(ok.description == "JPY 5")
    }

    // MARK: Constituency

    @Test(arguments: ["E14001063", "W07000081", "S14000100", "N05000001", "N06000018"])
    func gssCodesAreAccepted(code: String) throws {
        #expect(try Constituency(code: code).code == code)
        #expect(try Constituency(code: code, boundarySet: "2010").boundarySet == "2010")
    }

    @Test(arguments: ["E1400106", "E140010633", "E15001063", "e14001063", "E14-01063", "", "X14001063"])
    func malformedGSSCodesAreRejected(code: String) {
        #expect(throws: CoreError(.invalidValue, "")) { try Constituency(code: code) }
    }

    @Test func unknownBoundarySetIsRejected() {
        #expect(throws: CoreError.self) { try Constituency(code: "E14001063", boundarySet: "2019") }
    }

    /// Money and Currency check their invariants when decoded; a Constituency should too, so a
    /// payload decoded into a typed event can never hold a code its initialiser would refuse.
    @Test func constituencyDecodingValidates() {
        #expect(throws: (any Error).self) {
            try JSONValueDecoder().decode(
                Constituency.self, from: .object(["code": .string("BOGUS"), "boundarySet": .string("1999")]))
        }
    }

    // MARK: Hybrid logical clock

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func stampsIncreaseStrictlyAndPassEveryObservedStamp(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var clock = HybridLogicalClock()
        var previous = clock.last
        var now: Int64 = 1_700_000_000_000
        for _ in 0..<2_000 {
            // Wall time mostly advances, sometimes jumps back (NTP step) or stalls.
            now += Int64.random(in: -50...20, using: &rng)
            if rng.chance(0.4) {
                let remote = HLCStamp(wallMillis: now + Int64.random(in: -100...100, using: &rng),
                                      counter: Int64.random(in: 0...5, using: &rng))
                clock.observe(remote, now: now)
                #expect(clock.last > remote, "after observing \(remote)")
                #expect(clock.last > previous)
                previous = clock.last
                let next = clock.tick(now: now)
                #expect(next > remote)
                #expect(next > previous)
                previous = next
            } else {
                let stamp = clock.tick(now: now)
                #expect(stamp > previous, "tick at \(now) after \(previous)")
                #expect(stamp.wallMillis >= now)
                previous = stamp
            }
        }
    }

    @Test func tickUsesWallTimeWhenItAdvances() {
        var clock = HybridLogicalClock()
        #expect(clock.tick(now: 10) == HLCStamp(wallMillis: 10, counter: 0))
        #expect(clock.tick(now: 10) == HLCStamp(wallMillis: 10, counter: 1))
        #expect(clock.tick(now: 9) == HLCStamp(wallMillis: 10, counter: 2))
        #expect(clock.tick(now: 11) == HLCStamp(wallMillis: 11, counter: 0))
        clock.observe(HLCStamp(wallMillis: 50, counter: 7), now: 12)
        #expect(clock.last == HLCStamp(wallMillis: 50, counter: 8))
        clock.observe(HLCStamp(wallMillis: 20, counter: 3), now: 60)
        #expect(clock.last == HLCStamp(wallMillis: 60, counter: 0))
        clock.observe(HLCStamp(wallMillis: 60, counter: 9), now: 60)
        #expect(clock.last == HLCStamp(wallMillis: 60, counter: 10))
    }
}
