import Foundation
import MusterCore
import MusterTesting
import Testing

/// The donation register agrees with an independent implementation of the same rules
/// (Tests/Interop/ppera_register.py, written from the rules' text alone) on random donation books.
@Suite struct DonationRegisterTests {
    static let script = InteropScript("ppera_register.py")

    struct Xorshift: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
    }

    static func book(seed: UInt64) -> [DonationRegister.Donation] {
        var rng = Xorshift(state: seed | 1)
        let start = try! CalendarDate("2023-10-01")
        return (0..<Int.random(in: 20...120, using: &rng)).map { i in
            let received = start.adding(days: Int64.random(in: 0...500, using: &rng))
            let tier = Int.random(in: 0..<10, using: &rng)
            let amount: Int64 = tier < 3 ? .random(in: 100...60_000, using: &rng)
                : tier < 8 ? .random(in: 50_000...400_000, using: &rng) : .random(in: 400_000...1_500_000, using: &rng)
            let checked = Int.random(in: 0..<4, using: &rng)
            return DonationRegister.Donation(
                id: String(format: "d%04d", i), donor: "donor-\(Int.random(in: 0..<6, using: &rng))", donorKind: "individual",
                amountMinor: amount, currency: Int.random(in: 0..<25, using: &rng) == 0 ? "EUR" : "GBP", receivedOn: received,
                accountingUnit: Bool.random(using: &rng) ? nil : ["sheffield", "surrey"].randomElement(using: &rng),
                refundedMinor: Int.random(in: 0..<8, using: &rng) == 0 ? .random(in: 0...amount, using: &rng) : 0,
                returnedOn: Int.random(in: 0..<12, using: &rng) == 0 ? received.adding(days: 20) : nil,
                check: checked == 0 ? nil : DonationRegister.Check(
                    checkedOn: received.adding(days: Int64.random(in: 0...50, using: &rng)),
                    outcome: checked == 3 && Bool.random(using: &rng) ? "impermissible" : "permissible"))
        }
    }

    static func input(_ book: [DonationRegister.Donation], year: Int, quarter: Int?, unit: DonationRegister.Unit,
                      today: CalendarDate) -> JSONValue {
        func date(_ d: CalendarDate?) -> JSONValue { d.map { .string($0.description) } ?? .null }
        return .object([
            "rules": .array(DonationRules.uk.sets.map { s in .object([
                "effectiveFrom": .string(s.effectiveFrom.description), "donationOverMinor": .number(Double(s.donationOverMinor)),
                "centralInitialOverMinor": .number(Double(s.centralInitialOverMinor)),
                "centralFurtherOverMinor": .number(Double(s.centralFurtherOverMinor)),
                "unitInitialOverMinor": .number(Double(s.unitInitialOverMinor)),
                "unitFurtherOverMinor": .number(Double(s.unitFurtherOverMinor)),
                "permissibilityDays": .number(Double(s.permissibilityDays))]) }),
            "year": .number(Double(year)), "quarter": quarter.map { .number(Double($0)) } ?? .null,
            "unit": .string(unit.rawValue), "today": .string(today.description),
            "donations": .array(book.map { d in .object([
                "id": .string(d.id), "donor": .string(d.donor), "amountMinor": .number(Double(d.amountMinor)),
                "currency": .string(d.currency), "receivedOn": date(d.receivedOn),
                "accountingUnit": d.accountingUnit.map(JSONValue.string) ?? .null,
                "refundedMinor": .number(Double(d.refundedMinor)), "returnedOn": date(d.returnedOn),
                "check": d.check.map { .object(["checkedOn": date($0.checkedOn), "outcome": .string($0.outcome)]) } ?? .null]) }),
        ])
    }

    static func output(_ r: DonationRegister) -> JSONValue {
        .object([
            "reportable": .array(r.reportable.map { x in .object([
                "id": .string(x.donation.id), "donor": .string(x.donation.donor), "unit": .string(x.unit),
                "receivedOn": .string(x.donation.receivedOn.description), "valueMinor": .number(Double(x.valueMinor)),
                "aggregateMinor": .number(Double(x.aggregateMinor)), "quarter": .number(Double(x.quarter)),
                "reason": .string(x.reason)]) }),
            "permissibility": .array(r.permissibility.map { p in .object([
                "id": .string(p.donation.id), "issue": .string(p.issue), "days": .number(Double(p.days))]) }),
            "returned": .array(r.returned.map { d in .object([
                "id": .string(d.id), "returnedOn": d.returnedOn.map { .string($0.description) } ?? .null,
                "refundedMinor": .number(Double(d.refundedMinor)), "amountMinor": .number(Double(d.amountMinor))]) }),
            "small": .object(["count": .number(Double(r.smallCount)), "totalMinor": .number(Double(r.smallTotalMinor))]),
            "unassessed": .array(r.unassessed.map { .string($0.id) }),
        ])
    }

    static func python(_ input: JSONValue) throws -> JSONValue { try script.run(input) }

    @Test(arguments: 1...24)
    func agreesWithTheIndependentImplementation(seed: Int) throws {
        let book = Self.book(seed: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15)
        let year = seed % 3 == 0 ? 2023 : 2024
        let quarter: Int? = seed % 4 == 0 ? nil : seed % 4
        let unit: DonationRegister.Unit = seed % 2 == 0 ? .central : .accountingUnit
        let today = try CalendarDate("2025-02-15")
        let ours = DonationRegister(donations: book, rules: .uk, year: year, quarter: quarter, unit: unit, today: today)
        let theirs = try Self.python(Self.input(book, year: year, quarter: quarter, unit: unit, today: today))
        #expect(Self.output(ours) == theirs)
        if seed == 1 { #expect(!ours.reportable.isEmpty && !ours.permissibility.isEmpty) }
    }

    @Test func handWorkedCases() throws {
        let gbp = { (id: String, pence: Int64, on: String) in
            DonationRegister.Donation(id: id, donor: "x", amountMinor: pence, currency: "GBP", receivedOn: try! CalendarDate(on),
                                      check: DonationRegister.Check(checkedOn: try! CalendarDate(on), outcome: "permissible"))
        }
        // Three £5,000 gifts cross £11,180 together in Q3; then £1,500 + £1,000 cross the further £2,230.
        let book = [gbp("a", 500_000, "2024-01-10"), gbp("b", 500_000, "2024-04-10"), gbp("c", 500_000, "2024-07-10"),
                    gbp("d", 150_000, "2024-08-01"), gbp("e", 100_000, "2024-09-01"), gbp("f", 50_000, "2024-09-02")]
        let r = DonationRegister(donations: book, rules: .uk, year: 2024, quarter: nil, unit: .central, today: try CalendarDate("2025-01-01"))
        #expect(r.reportable.map(\.donation.id) == ["a", "b", "c", "d", "e"])
        #expect(r.reportable.map(\.reason) == ["aggregate", "aggregate", "aggregate", "further", "further"])
        #expect(r.reportable.allSatisfy { $0.quarter == 3 })
        #expect(r.smallCount == 1 && r.smallTotalMinor == 50_000)  // exactly £500 is not a donation
        // In 2023 the 2010 thresholds applied: £8,000 alone was reportable (over £7,500).
        let old = DonationRegister(donations: [gbp("g", 800_000, "2023-05-05")], rules: .uk, year: 2023, quarter: 2, unit: .central,
                                   today: try CalendarDate("2024-01-01"))
        #expect(old.reportable.map(\.reason) == ["single"])
    }

    @Test func rulesFilesAreChecked() throws {
        #expect(throws: CoreError.self) { try DonationRules.parse(Array("[]".utf8)) }
        #expect(throws: CoreError.self) { try DonationRules.parse(Array(#"[{"effectiveFrom":"2024-01-01"}]"#.utf8)) }
        let one = try DonationRules.parse(Array(#"""
            [{"effectiveFrom":"2030-01-01","donationOverMinor":60000,"centralInitialOverMinor":1500000,"centralFurtherOverMinor":300000,
              "unitInitialOverMinor":300000,"unitFurtherOverMinor":300000,"permissibilityDays":30}]
            """#.utf8))
        #expect(one.forDate(try CalendarDate("2024-01-01")).donationOverMinor == 60_000)
    }
}
