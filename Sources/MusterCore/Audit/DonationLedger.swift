/// The donations of a movement, folded from entries alone, for the donation register an auditor
/// recomputes. It keeps a few dozen bytes per donation, so a whole movement's history fits.
///
/// The merge rules are the donations read model's (``DonationsProjection``): a donation exists once
/// its `donation.received` entry is held; an entry named by any `event.voided` is left out; among
/// the entries that refer to a donation, ordered by ``FactStamp``, the last permissibility check
/// and the last return win; refunds in the donation's currency add up. Entries may arrive in any
/// order. `AuditTests` checks the ledger against the read model on the same entries.
public struct DonationLedger: Sendable {
    /// What one entry tells the ledger.
    public enum Fact: Sendable, Hashable {
        /// A `donation.received` entry.
        case received(Received)
        /// An entry about an earlier donation.
        case later(Later)
        /// An `event.voided` entry's target.
        case void(IDKey)
    }

    /// A donation as received.
    public struct Received: Sendable, Hashable {
        public var id: IDKey
        public var donor: IDKey?
        public var donorKind: String?
        public var amountMinor: Int64
        public var currency: String
        public var receivedOn: CalendarDate
        public var accountingUnit: String?
    }

    /// A check, return or refund of a donation.
    public struct Later: Sendable, Hashable {
        public enum Kind: Sendable, Hashable { case check(outcome: String), returned, refund(minor: Int64, currency: String) }
        public var donation: IDKey
        public var id: IDKey
        public var stamp: FactStamp
        public var seq: UInt64
        public var kind: Kind
        public var on: CalendarDate
    }

    /// A received donation as kept: its strings (currency, donor kind, unit: a handful of
    /// distinct values) as indexes into `names`, so a donation costs about 64 bytes.
    private struct Stored: Sendable {
        var donor: IDKey?
        var amountMinor: Int64
        var day: Int32
        var currency: UInt16
        var donorKind: UInt16
        var unit: UInt16
    }

    private var received: [IDKey: Stored] = [:]
    /// Interned strings; index 0 is "absent".
    private var names: [String] = [""]
    private var nameIndex: [String: UInt16] = [:]
    private var later: [Later] = []
    private var voided: Set<IDKey> = []

    /// An empty ledger.
    public init() {}

    /// The fact an entry contributes, if any (also for entries the schema has not been checked on:
    /// a fact with missing members is just absent).
    public static func fact(_ envelope: AuditedEntry.Fields) -> Fact? {
        func date(_ name: StaticString) -> CalendarDate? { envelope.payloadString(name).flatMap { try? CalendarDate($0) } }
        func money(_ name: StaticString) -> (Int64, String)? {
            guard let minor = envelope.payloadInteger(name, "minor"), let c = envelope.payloadString(name, "currency") else { return nil }
            return (minor, c)
        }
        switch envelope.role {
        case .donationReceived:
            guard let id = envelope.entry.idKey("id"), let (minor, currency) = money("amount"), let on = date("receivedOn")
            else { return nil }
            return .received(Received(id: id, donor: envelope.entry.idKey("subject"),
                                      donorKind: envelope.payloadString("donorKind"), amountMinor: minor, currency: currency,
                                      receivedOn: on, accountingUnit: envelope.payloadString("accountingUnit")))
        case .voided:
            return envelope.entry.idKey("payload", "target").map(Fact.void)
        case .donationChecked, .donationReturned, .donationRefunded:
            guard let id = envelope.entry.idKey("id"), let donation = envelope.entry.idKey("payload", "donation") else { return nil }
            let kind: Later.Kind, on: CalendarDate?
            switch envelope.role {
            case .donationChecked:
                guard let outcome = envelope.payloadString("outcome") else { return nil }
                kind = .check(outcome: outcome); on = date("checkedOn")
            case .donationReturned:
                kind = .returned; on = date("returnedOn")
            default:
                guard let (minor, currency) = money("amount") else { return nil }
                kind = .refund(minor: minor, currency: currency); on = date("refundedOn")
            }
            guard let on else { return nil }
            return .later(Later(donation: donation, id: id,
                                stamp: FactStamp(hlc: envelope.hlc, origin: envelope.origin, eventID: envelope.id),
                                seq: envelope.seq, kind: kind, on: on))
        case .other, .donationAccepted, .pledgeMade, .pledgeFulfilled, .pledgeWithdrawn:
            return nil
        }
    }

    /// Room for `count` received donations, so their table is not rebuilt as it grows.
    public mutating func reserve(donations count: Int) { received.reserveCapacity(count) }

    /// Takes one entry's fact.
    public mutating func add(_ fact: Fact) {
        switch fact {
        case .received(let r):
            received[r.id] = Stored(donor: r.donor, amountMinor: r.amountMinor, day: Int32(clamping: r.receivedOn.daysSinceEpoch),
                                    currency: intern(r.currency), donorKind: intern(r.donorKind), unit: intern(r.accountingUnit))
        case .later(let l): later.append(l)
        case .void(let target): voided.insert(target)
        }
    }

    private mutating func intern(_ name: String?) -> UInt16 {
        guard let name else { return 0 }
        if let known = nameIndex[name] { return known }
        guard names.count < Int(UInt16.max) else { return 0 }
        names.append(name)
        nameIndex[name] = UInt16(names.count - 1)
        return UInt16(names.count - 1)
    }

    private func expand(_ id: IDKey, _ s: Stored) -> Received {
        Received(id: id, donor: s.donor, donorKind: s.donorKind == 0 ? nil : names[Int(s.donorKind)], amountMinor: s.amountMinor,
                 currency: names[Int(s.currency)], receivedOn: CalendarDate(daysSinceEpoch: Int64(s.day)),
                 accountingUnit: s.unit == 0 ? nil : names[Int(s.unit)])
    }

    /// Donations that are held and not voided.
    public var donationCount: Int { received.keys.count { !voided.contains($0) } }

    /// A refund the ledger cannot net: in another currency than its donation, or taking the
    /// donation's refunds above its amount.
    public struct RefundProblem: Sendable, Hashable {
        public let refund: Later
        public let message: String
    }

    /// The donations as the register takes them.
    /// - Parameter include: which donations to build (all by default), to keep memory to one year's.
    public func donations(where include: (Received) -> Bool = { _ in true }) -> [DonationRegister.Donation] {
        donations(days: Int32.min...Int32.max, where: include, byDonation: laterByDonation()).list
    }

    /// The donations received on `days` (days since 1970) that `include` takes, in id order;
    /// with `rules`, the small gifts (sterling, nothing later about them, within the threshold)
    /// are counted per unit instead of listed.
    private func donations(days: ClosedRange<Int32>, where include: (Received) -> Bool = { _ in true },
                           byDonation: [IDKey: [Later]], smallUnder rules: DonationRules? = nil)
        -> (list: [DonationRegister.Donation], small: [DonationRegister.Unit: DonationRegister.SmallGifts]) {
        let sterling = nameIndex["GBP"]
        var small: [DonationRegister.Unit: DonationRegister.SmallGifts] = [:]
        // Small gifts are only counted, in any order; the rest are listed, so only they are sorted.
        var listed: [(key: IDKey, value: Stored)] = []
        for (id, stored) in received where days.contains(stored.day) && !voided.contains(id) {
            if let rules, stored.currency == sterling, byDonation[id] == nil,
               stored.amountMinor <= rules.forDate(CalendarDate(daysSinceEpoch: Int64(stored.day))).donationOverMinor {
                let unit: DonationRegister.Unit = stored.unit == 0 ? .central : .accountingUnit
                small[unit, default: .init()].count += 1
                small[unit, default: .init()].totalMinor += stored.amountMinor
                continue
            }
            listed.append((id, stored))
        }
        // By the 16-byte key (the text's order too: lowercase hex at fixed places) before any text is made.
        listed.sort { $0.key < $1.key }
        var out: [DonationRegister.Donation] = []
        for (id, stored) in listed {
            let r = expand(id, stored)
            if include(r) { out.append(fold(r, byDonation[id] ?? []).donation) }
        }
        return (out, small)
    }

    /// The refunds that cannot be netted, by origin and seq.
    public func refundProblems() -> [RefundProblem] {
        let byDonation = laterByDonation()
        return received.lazy.filter { !voided.contains($0.key) && byDonation[$0.key] != nil }
            .flatMap { fold(expand($0.key, $0.value), byDonation[$0.key] ?? []).problems }
            .sorted { ($0.refund.stamp.origin, $0.refund.seq) < ($1.refund.stamp.origin, $1.refund.seq) }
    }

    private func laterByDonation() -> [IDKey: [Later]] {
        var byDonation: [IDKey: [Later]] = [:]
        for l in later where !voided.contains(l.id) { byDonation[l.donation, default: []].append(l) }
        return byDonation
    }

    private func fold(_ r: Received, _ facts: [Later]) -> (donation: DonationRegister.Donation, problems: [RefundProblem]) {
        var check: DonationRegister.Check?, returnedOn: CalendarDate?
        var refunded: Int64 = 0
        var problems: [RefundProblem] = []
        for l in facts.count < 2 ? facts : facts.sorted(by: { $0.stamp < $1.stamp }) {
            switch l.kind {
            case .check(let outcome): check = DonationRegister.Check(checkedOn: l.on, outcome: outcome)
            case .returned: returnedOn = l.on
            case .refund(let minor, let currency):
                guard currency == r.currency else {
                    problems.append(RefundProblem(refund: l, message: "refund in \(currency) of donation \(r.id) received in \(r.currency) cannot be netted"))
                    continue
                }
                refunded += minor
                if refunded > r.amountMinor {
                    problems.append(RefundProblem(refund: l, message: "refunds of donation \(r.id) reach \(refunded) minor units, more than its \(r.amountMinor)"))
                }
            }
        }
        let donation = DonationRegister.Donation(
            id: r.id.description, donor: r.donor?.description ?? "(no donor)", donorKind: r.donorKind, amountMinor: r.amountMinor,
            currency: r.currency, receivedOn: r.receivedOn, accountingUnit: r.accountingUnit, refundedMinor: refunded,
            returnedOn: returnedOn, check: check)
        return (donation, problems)
    }

    /// The calendar years in which a held, unvoided donation was received, ascending.
    public var years: [Int] {
        Set(received.lazy.filter { !self.voided.contains($0.key) }.map { CalendarDate(daysSinceEpoch: Int64($0.value.day)).parts.year }).sorted()
    }

    /// The register of every year with a donation, for both units, year by year (so only one
    /// year's donations are built at a time, and of those only the ones above the small-gift
    /// threshold or with something later about them: most gifts are only counted).
    public func registers(rules: DonationRules, today: CalendarDate) -> [DonationRegister] {
        let byDonation = laterByDonation()
        // Years are independent: each is made on its own core.
        return Parallel.mapBlocking(years) { year in
            let first = Int32(clamping: (try? CalendarDate(year: year, month: 1, day: 1))?.daysSinceEpoch ?? 0)
            let last = Int32(clamping: (try? CalendarDate(year: year, month: 12, day: 31))?.daysSinceEpoch ?? 0)
            let (list, small) = donations(days: first...last, byDonation: byDonation, smallUnder: rules)
            return DonationRegister.Unit.allCases.map {
                DonationRegister(donations: list, rules: rules, year: year, quarter: nil, unit: $0, today: today,
                                 counted: small[$0] ?? .init())
            }
        }.flatMap { $0 }
    }
}
