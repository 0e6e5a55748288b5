import MusterCore

/// A small deterministic generator (SplitMix64): the same seed gives the same drafts on every run.
struct BenchRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }
}

/// Realistic drafts for the benchmarks: member `i` joins (personal details sealed, a blind index of
/// the e-mail in the clear), then gives a donation (donor name sealed, amount and date clear).
/// Draft `2i` is member `i`'s join, draft `2i + 1` their donation; every draft is a pure function
/// of its index, so workloads can make them in any order without keeping them.
struct DraftFactory: Sendable {
    struct Area: Sendable { let region: String; let constituencies: [Constituency]; let outward: [String] }

    let blindIndex: BlindIndex
    let seed: UInt64
    let start = try! CalendarDate("2025-01-06")

    static let areas: [Area] = [
        Area(region: "yorkshire-and-the-humber", constituencies: codes("E14001", 480...484), outward: ["S1", "S2", "S6", "S10", "S11"]),
        Area(region: "south-east", constituencies: codes("E14001", 520...523), outward: ["GU1", "GU2", "KT22", "RH1"]),
        Area(region: "north-east", constituencies: codes("E14001", 390...393), outward: ["NE1", "NE2", "NE4", "NE6"]),
        Area(region: "london", constituencies: codes("E14001", 300...305), outward: ["E1", "N1", "SE1", "SW9"]),
        Area(region: "wales", constituencies: codes("W07000", 81...83), outward: ["CF10", "CF11", "CF24"]),
        Area(region: "scotland", constituencies: codes("S14000", 100...102), outward: ["EH1", "EH6", "G12"]),
    ]
    static let firstNames = ["Amira", "Ben", "Chloe", "Dev", "Eilidh", "Femi", "Grace", "Harry", "Isla", "Jamal", "Kate",
                             "Liam", "Maya", "Niall", "Olu", "Priya", "Rhys", "Sian", "Tom", "Uzma", "Wen", "Yusuf", "Zara"]
    static let surnames = ["Ahmed", "Brown", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones",
                           "Khan", "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Roberts", "Singh", "Taylor", "Wilson"]
    static let operators = ["op-amira", "op-ben", "op-chloe"]

    static func codes(_ prefix: String, _ range: ClosedRange<Int>) -> [Constituency] {
        range.map { n in
            let digits = String(n)
            return try! Constituency(code: prefix + String(repeating: "0", count: 3 - digits.count) + digits)
        }
    }

    init(blindIndex: BlindIndex, seed: UInt64 = 2026) {
        self.blindIndex = blindIndex
        self.seed = seed
        // Every region used must be one of the vocabulary's.
        precondition(Self.areas.allSatisfy { Vocabulary.regions.contains($0.region) })
    }

    /// Draft number `index` (0-based).
    func draft(_ index: Int) throws -> EntryDraft {
        let member = index / 2
        var rng = BenchRandom(seed: seed ^ (UInt64(member) &* 0x2545_F491_4F6C_DD1D))
        // Time-ordered, as a hub mints new members' ids (`SubjectID.generate()`): eight per
        // millisecond from a fixed start, so the drafts stay a function of their index.
        let subject = SubjectID.generate(unixMillis: 1_760_000_000_000 + UInt64(member / 8), using: &rng)
        let area = rng.pick(Self.areas)
        let first = rng.pick(Self.firstNames), last = rng.pick(Self.surnames)
        let name = "\(first) \(last)"
        let outward = rng.pick(area.outward)
        let postcode = "\(outward) \(Int.random(in: 1...9, using: &rng))\(rng.pick(["AB", "DX", "GH", "PQ", "ZZ"]))"
        let joined = start.adding(days: Int64(Int.random(in: 0...480, using: &rng)))
        if index % 2 == 0 {
            let email = "\(first).\(last).\(member)@example.org".lowercased()
            let event = MemberJoined(region: area.region, constituency: rng.pick(area.constituencies), outwardCode: outward,
                                     joinedOn: joined, source: rng.pick(["web", "event", "phone", "paper"]),
                                     emailIndex: blindIndex.email(email))
            let personal = MemberJoined.Personal(name: name, email: email, postcode: postcode)
            return try EntryDraft(event, personal: personal, subject: subject, operatorID: rng.pick(Self.operators))
        } else {
            // Skip the join's draws so the donation's follow from the same member stream.
            _ = rng.next(); _ = rng.next(); _ = rng.next()
            let major = Int.random(in: 0..<100, using: &rng) < 6
            let pence = major ? Int64.random(in: 50_000...600_000, using: &rng) : Int64.random(in: 300...15_000, using: &rng)
            let on = joined.adding(days: Int64(Int.random(in: 0...60, using: &rng)))
            let event = DonationReceived(amount: try Money.gbp(pence: pence), receivedOn: on,
                                         method: rng.pick(Vocabulary.paymentMethods), donorKind: "individual",
                                         accountingUnit: Int.random(in: 0..<5, using: &rng) == 0 ? "sheffield-branch" : nil)
            let personal = DonationReceived.Personal(donorName: name, postcode: postcode)
            return try EntryDraft(event, personal: personal, subject: subject, operatorID: "op-treasurer")
        }
    }
}
