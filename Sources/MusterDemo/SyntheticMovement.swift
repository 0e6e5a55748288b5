public import MusterCore
import Crypto

/// A synthetic movement: members across regions and constituencies who join, consent, donate,
/// train and pledge — the events one hub would record, in recording order. Deterministic for a seed.
/// Every name, address and constituency code here is made up.
public struct SyntheticMovement: Sendable {
    /// One event to record, with the id it must get (later events refer to it).
    public struct Event: Sendable {
        /// The id the entry must carry.
        public let id: EventID
        /// When it happened (drives `recordedAt` in demos).
        public let date: CalendarDate
        /// What to record.
        public let draft: EntryDraft
    }

    /// How big a movement to make.
    public struct Config: Sendable {
        /// Number of members.
        public var members: Int
        /// The random seed.
        public var seed: UInt64
        /// First day of activity.
        public var start: CalendarDate
        /// Days of activity.
        public var days: Int
        /// A configuration.
        public init(members: Int = 300, seed: UInt64 = 2026, start: CalendarDate = try! CalendarDate("2025-01-06"), days: Int = 540) {
            self.members = members; self.seed = seed; self.start = start; self.days = days
        }
    }

    /// The events, in date order.
    public let events: [Event]

    /// Makes the movement.
    public init(_ config: Config = Config()) {
        var g = Generator(config: config)
        events = g.run()
    }
}

extension SyntheticMovement {
    struct Area { let region: String; let constituencies: [Constituency]; let outward: [String] }

    static let areas: [Area] = [
        Area(region: "yorkshire-and-the-humber", constituencies: codes("E14001", 480...484), outward: ["S1", "S2", "S6", "S10", "S11"]),
        Area(region: "south-east", constituencies: codes("E14001", 520...523), outward: ["GU1", "GU2", "KT22", "RH1"]),
        Area(region: "north-east", constituencies: codes("E14001", 390...393), outward: ["NE1", "NE2", "NE4", "NE6"]),
        Area(region: "london", constituencies: codes("E14001", 300...305), outward: ["E1", "N1", "SE1", "SW9"]),
        Area(region: "wales", constituencies: codes("W07000", 81...83), outward: ["CF10", "CF11", "CF24"]),
        Area(region: "scotland", constituencies: codes("S14000", 100...102), outward: ["EH1", "EH6", "G12"]),
    ]

    static func codes(_ prefix: String, _ range: ClosedRange<Int>) -> [Constituency] {
        range.map { n in
            let digits = String(n)
            return try! Constituency(code: prefix + String(repeating: "0", count: 3 - digits.count) + digits)
        }
    }

    static let firstNames = ["Amira", "Ben", "Chloe", "Dev", "Eilidh", "Femi", "Grace", "Harry", "Isla", "Jamal", "Kate",
                             "Liam", "Maya", "Niall", "Olu", "Priya", "Rhys", "Sian", "Tom", "Uzma", "Wen", "Yusuf", "Zara"]
    static let surnames = ["Ahmed", "Brown", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones",
                           "Khan", "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Roberts", "Singh", "Taylor", "Wilson"]
    static let courses = ["canvassing-101", "phone-banking", "data-protection", "event-hosting", "fundraising-basics"]
    static let operators = ["op-amira", "op-ben", "op-treasurer"]
}
