/// A read model built from the log: which entities each event is a fact about, and how the facts
/// of one entity fold into rows.
///
/// Convergence comes from the shape, not from care in each projection: an entity's rows are a
/// pure function of the *set* of its facts (sorted by ``FactStamp``, voided events left out), so
/// two hubs holding the same entries hold the same rows whatever order the entries arrived in.
/// Tallies (``ReadModelTally``) are sums, minima and maxima, which commute too.
public protocol Projection: Sendable {
    /// The projection's name, as `muster replay --projection` takes it.
    var name: String { get }
    /// Its version: a change rebuilds it from the log into new tables, swapped in when complete.
    var version: Int { get }
    /// Its tables.
    var tables: [ReadModelTable] { get }
    /// The event types ``route(_:)`` can find a fact in; it finds none in any other type. A
    /// replay asks a projection to route only the entries of these types.
    var routedTypes: Set<String> { get }
    /// Whether ``tally(_:)`` contributes anything (a replay skips the projections that do not).
    var tallies: Bool { get }
    /// The entities `envelope` is a fact about (none when the projection ignores it).
    func route(_ envelope: Envelope) -> [FactKey]
    /// The rows of one entity from all its facts, sorted by stamp, voided ones left out. No facts,
    /// or none that found the entity (a refund whose donation has not arrived), give no rows.
    func fold(_ key: FactKey, facts: [Fact]) -> [ReadModelRow]
    /// The entry's contributions to tally tables.
    func tally(_ envelope: Envelope) -> [ReadModelTally]
    /// The contributions of many entries: what adding up the tally of each one gives,
    /// which a projection may work out without making a tally per entry (a replay tallies a
    /// million entries).
    func tally(_ envelopes: [Envelope]) -> [ReadModelTally]
}

extension Projection {
    public var tallies: Bool { false }
    public func route(_ envelope: Envelope) -> [FactKey] { [] }
    public func fold(_ key: FactKey, facts: [Fact]) -> [ReadModelRow] { [] }
    public func tally(_ envelope: Envelope) -> [ReadModelTally] { [] }
    public func tally(_ envelopes: [Envelope]) -> [ReadModelTally] { envelopes.flatMap { tally($0) } }
}

/// Every projection a hub keeps.
public enum Projections {
    /// All of them, in the order they are built and digested.
    public static let all: [any Projection] = [MembersProjection(), DonationsProjection(), TrainingsProjection(),
                                               PledgesProjection(), LogStatusProjection()]

    /// The projection called `name`.
    public static func named(_ name: String) throws(CoreError) -> any Projection {
        guard let p = all.first(where: { $0.name == name }) else {
            throw CoreError(.invalidValue, "unknown projection '\(name)'; known: \(all.map(\.name).joined(separator: ", ")), all")
        }
        return p
    }

    /// The event type that voids an earlier entry.
    public static let voidType = EventVoided.schema.type

    /// The event an `event.voided` entry voids.
    public static func voidTarget(_ envelope: Envelope) -> String? {
        envelope.type == voidType ? envelope.payloadView.string("target") : nil
    }
}

/// A tiny helper for folds: the last value set wins (facts come sorted by stamp).
struct Register<Value> {
    private(set) var value: Value?
    mutating func set(_ v: Value?) { if let v { value = v } }
    mutating func overwrite(_ v: Value?) { value = v }
}
