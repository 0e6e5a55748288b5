/// The UK donation-reporting rules (Political Parties, Elections and Referendums Act 2000) as
/// dated configuration: thresholds change by statutory instrument, so each set applies from a
/// date, and an auditor can load another table (`muster report donation-register --rules FILE`).
///
/// Amounts are in pence; "over" thresholds are exclusive (a gift of exactly £500 is not a donation).
public struct DonationRuleSet: Sendable, Hashable, Codable {
    /// The first receipt date these thresholds apply to.
    public var effectiveFrom: CalendarDate
    /// A gift is a donation only when worth more than this.
    public var donationOverMinor: Int64
    /// The central party reports a donor once their donations in a calendar year exceed this …
    public var centralInitialOverMinor: Int64
    /// … and then each time further donations from them exceed this.
    public var centralFurtherOverMinor: Int64
    /// An accounting unit reports a donor once their donations to it in a year exceed this …
    public var unitInitialOverMinor: Int64
    /// … and then each time further donations exceed this.
    public var unitFurtherOverMinor: Int64
    /// Days after receipt within which permissibility must be checked.
    public var permissibilityDays: Int64

    /// A rule set.
    public init(effectiveFrom: CalendarDate, donationOverMinor: Int64, centralInitialOverMinor: Int64,
                centralFurtherOverMinor: Int64, unitInitialOverMinor: Int64, unitFurtherOverMinor: Int64,
                permissibilityDays: Int64) {
        self.effectiveFrom = effectiveFrom; self.donationOverMinor = donationOverMinor
        self.centralInitialOverMinor = centralInitialOverMinor; self.centralFurtherOverMinor = centralFurtherOverMinor
        self.unitInitialOverMinor = unitInitialOverMinor; self.unitFurtherOverMinor = unitFurtherOverMinor
        self.permissibilityDays = permissibilityDays
    }
}

/// A dated table of rule sets.
public struct DonationRules: Sendable, Hashable {
    /// The sets, by effective date.
    public let sets: [DonationRuleSet]

    /// A table; it must hold at least one set, with distinct dates and sensible thresholds.
    public init(_ sets: [DonationRuleSet]) throws(CoreError) {
        guard !sets.isEmpty else { throw CoreError(.invalidValue, "donation rules: at least one rule set is needed") }
        let sorted = sets.sorted { $0.effectiveFrom < $1.effectiveFrom }
        for (i, s) in sorted.enumerated() {
            if i > 0, sorted[i - 1].effectiveFrom == s.effectiveFrom {
                throw CoreError(.invalidValue, "donation rules: two rule sets take effect on \(s.effectiveFrom)")
            }
            let amounts = [s.donationOverMinor, s.centralInitialOverMinor, s.centralFurtherOverMinor, s.unitInitialOverMinor,
                           s.unitFurtherOverMinor]
            guard amounts.allSatisfy({ $0 >= 0 }), s.permissibilityDays >= 0 else {
                throw CoreError(.invalidValue, "donation rules from \(s.effectiveFrom): thresholds and days must not be negative")
            }
        }
        self.sets = sorted
    }

    /// The set in force for a receipt on `date` (the earliest set for dates before every set).
    public func forDate(_ date: CalendarDate) -> DonationRuleSet {
        sets.last(where: { $0.effectiveFrom <= date }) ?? sets[0]
    }

    /// The rules as amended: from 1 January 2010 (Political Parties and Elections Act 2009) and
    /// from 1 January 2024 (the 2023 uprating of the reporting thresholds).
    public static let uk: DonationRules = try! DonationRules([
        DonationRuleSet(effectiveFrom: try! CalendarDate(year: 2010, month: 1, day: 1), donationOverMinor: 50_000,
                        centralInitialOverMinor: 750_000, centralFurtherOverMinor: 150_000,
                        unitInitialOverMinor: 150_000, unitFurtherOverMinor: 150_000, permissibilityDays: 30),
        DonationRuleSet(effectiveFrom: try! CalendarDate(year: 2024, month: 1, day: 1), donationOverMinor: 50_000,
                        centralInitialOverMinor: 1_118_000, centralFurtherOverMinor: 223_000,
                        unitInitialOverMinor: 223_000, unitFurtherOverMinor: 223_000, permissibilityDays: 30),
    ])

    /// Reads a table from JSON: an array of rule sets as ``DonationRuleSet`` encodes them.
    public static func parse(_ bytes: [UInt8]) throws(CoreError) -> DonationRules {
        let json: JSONValue
        do { json = try CanonicalJSON.parse(bytes) } catch { throw CoreError(.invalidValue, "donation rules: \(error)") }
        guard let array = json.arrayValue else { throw CoreError(.invalidValue, "donation rules: expected a JSON array of rule sets") }
        var sets: [DonationRuleSet] = []
        for (i, element) in array.enumerated() {
            do { sets.append(try JSONValueDecoder().decode(DonationRuleSet.self, from: element)) } catch {
                throw CoreError(.invalidValue, "donation rules: $[\(i)]: \(error)")
            }
        }
        return try DonationRules(sets)
    }
}
