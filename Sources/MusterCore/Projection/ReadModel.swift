/// A value in a read-model row: what a SQL column holds.
public enum ReadModelValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)

    /// The value as JSON (for digests and the json report format).
    public var json: JSONValue {
        switch self {
        case .null: .null
        case .integer(let n): .number(Double(n))
        case .text(let s): .string(s)
        }
    }

    /// Text, or null when absent.
    public static func optional(_ s: String?) -> ReadModelValue { s.map(ReadModelValue.text) ?? .null }
    /// An integer, or null when absent.
    public static func optional(_ n: Int64?) -> ReadModelValue { n.map(ReadModelValue.integer) ?? .null }
    /// A date as `YYYY-MM-DD` text, or null when absent.
    public static func optional(_ d: CalendarDate?) -> ReadModelValue { d.map { .text($0.description) } ?? .null }
}

/// A read-model table: its columns (the first is always `key`, the entity key its rows derive
/// from), the primary key, and the entity whose fold writes it.
public struct ReadModelTable: Sendable, Hashable {
    /// A column and whether it holds integers.
    public struct Column: Sendable, Hashable {
        public let name: String
        public let isInteger: Bool
        /// A column.
        public init(_ name: String, integer: Bool = false) { self.name = name; self.isInteger = integer }
    }

    /// The table's name without generation or build suffix, e.g. `rm_member`.
    public let name: String
    /// The entity kind whose fold produces the rows (see ``FactKey``); `nil` for tallies.
    public let entity: String?
    /// Columns, `key` first.
    public let columns: [Column]
    /// Primary-key columns, `key` first.
    public let primaryKey: [String]

    /// A table whose rows an entity's fold produces.
    public init(_ name: String, entity: String?, columns: [Column], primaryKey: [String] = ["key"]) {
        precondition(columns.first?.name == "key" && primaryKey.first == "key", "read-model tables start with `key`")
        self.name = name; self.entity = entity; self.columns = columns; self.primaryKey = primaryKey
    }
}

/// A row a fold produced, for one table.
public struct ReadModelRow: Sendable, Hashable {
    /// The table (its base name).
    public let table: String
    /// One value per column, in the table's column order.
    public let values: [ReadModelValue]
    /// A row.
    public init(_ table: String, _ values: [ReadModelValue]) { self.table = table; self.values = values }
}

/// Which entity an event is a fact about: e.g. (`member`, subject id) or (`donation`, donation id).
public struct FactKey: Sendable, Hashable, Comparable {
    /// The entity kind.
    public let entity: String
    /// The entity's key.
    public let key: String
    /// A key.
    public init(_ entity: String, _ key: String) { self.entity = entity; self.key = key }

    public static func < (a: FactKey, b: FactKey) -> Bool { (a.entity, a.key) < (b.entity, b.key) }
}

/// The order in which facts about one entity are folded: the hybrid logical clock, then origin,
/// then event id. Every hub sorts the same set of facts the same way, whatever order they arrived in.
public struct FactStamp: Sendable, Hashable, Comparable {
    public let hlc: HLCStamp
    public let origin: String
    public let eventID: String

    /// A stamp.
    public init(hlc: HLCStamp, origin: String, eventID: String) { self.hlc = hlc; self.origin = origin; self.eventID = eventID }

    public static func < (a: FactStamp, b: FactStamp) -> Bool {
        if a.hlc != b.hlc { return a.hlc < b.hlc }
        if a.origin != b.origin { return a.origin < b.origin }
        return a.eventID < b.eventID
    }
}

/// One event seen as a fact about one entity: the parts of its entry a fold may use.
public struct Fact: Sendable, Hashable {
    /// The entity it is about.
    public let key: FactKey
    /// Its place in the fold order.
    public let stamp: FactStamp
    /// Its place in its origin's log.
    public let seq: UInt64
    /// The event type.
    public let type: String
    /// The entry's subject, if any.
    public let subject: String?
    /// When its hub recorded it.
    public let recordedAt: Timestamp
    /// The clear payload, read in place (``PayloadView``).
    public let payloadView: PayloadView
    /// The clear payload as a value.
    public var payload: JSONValue { payloadView.value }

    /// A fact.
    public init(key: FactKey, stamp: FactStamp, seq: UInt64, type: String, subject: String?, recordedAt: Timestamp,
                payload: JSONValue) {
        self.init(key: key, stamp: stamp, seq: seq, type: type, subject: subject, recordedAt: recordedAt,
                  payloadView: PayloadView(payload))
    }

    private init(key: FactKey, stamp: FactStamp, seq: UInt64, type: String, subject: String?, recordedAt: Timestamp,
                 payloadView: PayloadView) {
        self.key = key; self.stamp = stamp; self.seq = seq; self.type = type; self.subject = subject
        self.recordedAt = recordedAt; self.payloadView = payloadView
    }

    /// The fact an entry is about `key`.
    public init(_ envelope: Envelope, key: FactKey) {
        self.init(key: key, stamp: FactStamp(hlc: envelope.hlc, origin: envelope.origin, eventID: envelope.id.text),
                  seq: envelope.seq, type: envelope.type, subject: envelope.subject?.text, recordedAt: envelope.recordedAt,
                  payloadView: envelope.payloadView)
    }

    /// A payload string member.
    public func string(_ name: String) -> String? { payloadView.string(name) }
    /// A payload date member.
    public func date(_ name: String) -> CalendarDate? { string(name).flatMap { try? CalendarDate($0) } }
    /// A payload constituency's GSS code (the member is `{"code": …, "boundarySet": …}`).
    public func constituency(_ name: String) -> String? { payloadView.string(name, "code") }
    /// A payload integer member.
    public func integer(_ name: String) -> Int64? { payloadView.integer(name) }
    /// A payload money member as (minor units, currency code).
    public func money(_ name: String) -> (minor: Int64, currency: String)? {
        guard let minor = payloadView.integer(name, "minor"), let c = payloadView.string(name, "currency") else { return nil }
        return (minor, c)
    }
}

/// An order-independent contribution of one entry to a tally table (the per-origin log status):
/// sums add, maxima and minima take the larger or smaller value, so every hub ends with the same
/// row whatever order the entries came in.
public struct ReadModelTally: Sendable, Hashable {
    public let table: String
    public let key: String
    /// Columns to add to.
    public var sums: [String: Int64]
    /// Columns holding the largest value seen.
    public var maxima: [String: ReadModelValue]
    /// Columns holding the smallest value seen.
    public var minima: [String: ReadModelValue]

    /// A tally.
    public init(table: String, key: String, sums: [String: Int64] = [:], maxima: [String: ReadModelValue] = [:],
                minima: [String: ReadModelValue] = [:]) {
        self.table = table; self.key = key; self.sums = sums; self.maxima = maxima; self.minima = minima
    }
}
