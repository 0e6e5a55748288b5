/// The donation register an auditor or treasurer files (UK PPERA): reportable donations with
/// per-donor calendar-year aggregation, permissibility checks outstanding or late, donations
/// returned or refunded, and how many gifts fell under the donation threshold.
///
/// The rules, in order (ARCHITECTURE.md states them for auditors):
/// 1. Only donations to the chosen unit count: the central party (no accounting unit), or each
///    accounting unit separately. Only receipts in the calendar year count; aggregation always
///    runs over the whole year, and `quarter` only selects which rows are listed.
/// 2. A donation's value is its amount less refunds. Returned donations and those worth no more
///    than the threshold in force at receipt (£500) are not aggregated; the latter are "small".
/// 3. Per (unit, donor), in receipt order (then id): donations accumulate until their sum exceeds
///    the initial threshold (£11,180 central, £2,230 accounting units, from 2024); then all of them
///    are reportable in the quarter of the donation that crossed it. After that, each time further
///    donations exceed the further threshold (£2,230) they are reportable likewise.
/// 4. A donation over the threshold whose permissibility was not checked within 30 days of
///    receipt is "overdue" (unchecked, past the deadline) or "late" (checked after it); one found
///    impermissible and not returned is listed too.
/// 5. Non-sterling donations are listed as unassessed.
public struct DonationRegister: Sendable, Hashable {
    /// A donation's latest permissibility check.
    public struct Check: Sendable, Hashable {
        public var checkedOn: CalendarDate
        /// `permissible` or `impermissible`.
        public var outcome: String
        /// A check.
        public init(checkedOn: CalendarDate, outcome: String) { self.checkedOn = checkedOn; self.outcome = outcome }
    }

    /// One donation as the register needs it.
    public struct Donation: Sendable, Hashable {
        public var id: String
        public var donor: String
        public var donorKind: String?
        public var amountMinor: Int64
        public var currency: String
        public var receivedOn: CalendarDate
        public var accountingUnit: String?
        public var refundedMinor: Int64
        public var returnedOn: CalendarDate?
        public var check: Check?

        /// A donation.
        public init(id: String, donor: String, donorKind: String? = nil, amountMinor: Int64, currency: String,
                    receivedOn: CalendarDate, accountingUnit: String? = nil, refundedMinor: Int64 = 0,
                    returnedOn: CalendarDate? = nil, check: Check? = nil) {
            self.id = id; self.donor = donor; self.donorKind = donorKind; self.amountMinor = amountMinor
            self.currency = currency; self.receivedOn = receivedOn; self.accountingUnit = accountingUnit
            self.refundedMinor = refundedMinor; self.returnedOn = returnedOn; self.check = check
        }

        var value: Int64 { max(0, amountMinor - refundedMinor) }
    }

    /// Which donations are registered: the central party's, or each accounting unit's.
    public enum Unit: String, Sendable, CaseIterable { case central, accountingUnit = "accounting-unit" }

    /// A reportable donation.
    public struct Reportable: Sendable, Hashable {
        public let donation: Donation
        /// `central` or the accounting unit.
        public let unit: String
        /// The donation's value (amount less refunds).
        public let valueMinor: Int64
        /// The aggregate that crossed the threshold.
        public let aggregateMinor: Int64
        /// The quarter in which it became reportable.
        public let quarter: Int
        /// `single`, `aggregate` or `further`.
        public let reason: String
    }

    /// A permissibility problem.
    public struct PermissibilityIssue: Sendable, Hashable {
        public let donation: Donation
        /// `overdue`, `late` or `impermissible-not-returned`.
        public let issue: String
        /// Days from receipt to the check (late) or to the reference date.
        public let days: Int64
    }

    public let year: Int
    public let quarter: Int?
    public let unit: Unit
    public let reportable: [Reportable]
    public let permissibility: [PermissibilityIssue]
    public let returned: [Donation]
    /// Gifts in the period worth no more than the donation threshold: not donations under the rules.
    public let smallCount: Int
    public let smallTotalMinor: Int64
    /// Non-sterling donations in the period.
    public let unassessed: [Donation]

    /// Computes the register.
    /// - Parameter today: the reference date for overdue checks.
    /// Small gifts counted before the register was made: sterling gifts, neither returned nor
    /// refunded, worth no more than the donation threshold, which count towards ``smallCount``
    /// and ``smallTotalMinor`` and nothing else, so a caller with many of them need not build each.
    public struct SmallGifts: Sendable, Hashable {
        public var count = 0
        public var totalMinor: Int64 = 0
        /// None.
        public init() {}
    }

    public init(donations: [Donation], rules: DonationRules, year: Int, quarter: Int?, unit: Unit, today: CalendarDate,
                counted: SmallGifts = SmallGifts()) {
        func quarterOf(_ d: CalendarDate) -> Int { (d.parts.month - 1) / 3 + 1 }
        func inPeriod(_ d: Donation) -> Bool { quarter == nil || quarterOf(d.receivedOn) == quarter }
        let kept = donations.filter { ($0.accountingUnit == nil) == (unit == .central) && $0.receivedOn.parts.year == year }
        var unassessed: [Donation] = [], returned: [Donation] = [], issues: [PermissibilityIssue] = []
        var groups: [String: [Donation]] = [:]
        var smallCount = counted.count, smallTotal = counted.totalMinor
        for d in kept {
            guard d.currency == "GBP" else { if inPeriod(d) { unassessed.append(d) }; continue }
            let r = rules.forDate(d.receivedOn)
            let notReturned = d.returnedOn == nil
            if notReturned, d.value > r.donationOverMinor {
                groups[(d.accountingUnit ?? "central") + "\n" + d.donor, default: []].append(d)
            }
            guard inPeriod(d) else { continue }
            if !notReturned || d.refundedMinor > 0 { returned.append(d) }
            if notReturned, d.value <= r.donationOverMinor { smallCount += 1; smallTotal += d.value }
            guard d.amountMinor > r.donationOverMinor else { continue }
            let deadline = d.receivedOn.adding(days: r.permissibilityDays)
            let sinceReceipt = today.daysSinceEpoch - d.receivedOn.daysSinceEpoch
            if let check = d.check {
                if check.checkedOn > deadline {
                    issues.append(PermissibilityIssue(donation: d, issue: "late",
                                                      days: check.checkedOn.daysSinceEpoch - d.receivedOn.daysSinceEpoch))
                }
                if check.outcome == "impermissible", notReturned {
                    issues.append(PermissibilityIssue(donation: d, issue: "impermissible-not-returned", days: sinceReceipt))
                }
            } else if today > deadline {
                issues.append(PermissibilityIssue(donation: d, issue: "overdue", days: sinceReceipt))
            }
        }
        var reportable: [Reportable] = []
        for (_, list) in groups {
            var pending: [Donation] = [], total: Int64 = 0, reported = false
            for d in list.sorted(by: { ($0.receivedOn, $0.id) < ($1.receivedOn, $1.id) }) {
                pending.append(d)
                total += d.value
                let r = rules.forDate(d.receivedOn)
                let limit = d.accountingUnit == nil
                    ? (reported ? r.centralFurtherOverMinor : r.centralInitialOverMinor)
                    : (reported ? r.unitFurtherOverMinor : r.unitInitialOverMinor)
                guard total > limit else { continue }
                let reason = reported ? "further" : pending.count == 1 ? "single" : "aggregate"
                for p in pending {
                    reportable.append(Reportable(donation: p, unit: p.accountingUnit ?? "central", valueMinor: p.value,
                                                 aggregateMinor: total, quarter: quarterOf(d.receivedOn), reason: reason))
                }
                pending = []; total = 0; reported = true
            }
        }
        self.year = year; self.quarter = quarter; self.unit = unit
        self.reportable = reportable.filter { quarter == nil || $0.quarter == quarter }.sorted {
            ($0.quarter, $0.unit, $0.donation.donor, $0.donation.receivedOn, $0.donation.id)
                < ($1.quarter, $1.unit, $1.donation.donor, $1.donation.receivedOn, $1.donation.id)
        }
        self.permissibility = issues.sorted {
            ($0.donation.receivedOn, $0.donation.id, $0.issue) < ($1.donation.receivedOn, $1.donation.id, $1.issue)
        }
        self.returned = returned.sorted { ($0.receivedOn, $0.id) < ($1.receivedOn, $1.id) }
        self.smallCount = smallCount; self.smallTotalMinor = smallTotal
        self.unassessed = unassessed.sorted { $0.id < $1.id }
    }
}
