/// Pledges: each pledge to vote for, fund or campaign for a candidate who backs electoral reform
/// in a seat, and whether it was fulfilled or withdrawn.
///
/// Merge rules: a pledge's row exists once its `pledge.made` fact is held; its fulfilment or
/// withdrawal is last-writer-wins.
public struct PledgesProjection: Projection {
    public let name = "pledges"
    public let version = 1
    public init() {}

    static let pledge = "pledge"

    public let tables = [
        ReadModelTable("rm_pledge", entity: pledge, columns: [
            .init("key"), .init("pledger"), .init("kind"), .init("seat"), .init("election"), .init("amount_minor", integer: true),
            .init("currency"), .init("hours", integer: true), .init("made_on"), .init("status"), .init("status_on"),
        ]),
    ]

    public var routedTypes: Set<String> { [PledgeMade.schema.type, PledgeFulfilled.schema.type, PledgeWithdrawn.schema.type] }

    public func route(_ envelope: Envelope) -> [FactKey] {
        switch envelope.type {
        case PledgeMade.schema.type: return [FactKey(Self.pledge, envelope.id.text)]
        case PledgeFulfilled.schema.type, PledgeWithdrawn.schema.type:
            return envelope.payloadView.string("pledge").map { [FactKey(Self.pledge, $0)] } ?? []
        default: return []
        }
    }

    public func fold(_ key: FactKey, facts: [Fact]) -> [ReadModelRow] {
        guard let made = facts.first(where: { $0.type == PledgeMade.schema.type && $0.stamp.eventID == key.key }) else { return [] }
        var status = "open", statusOn: String?
        for f in facts {
            switch f.type {
            case PledgeFulfilled.schema.type: status = "fulfilled"; statusOn = f.string("fulfilledOn")
            case PledgeWithdrawn.schema.type: status = "withdrawn"; statusOn = f.string("withdrawnOn")
            default: continue
            }
        }
        let amount = made.money("amount")
        return [ReadModelRow("rm_pledge", [
            .text(key.key), .optional(made.subject), .optional(made.string("kind")), .optional(made.constituency("seat")),
            .optional(made.string("election")), .optional(amount?.minor), .optional(amount?.currency), .optional(made.integer("hours")),
            .text(made.recordedAt.date.description), .text(status), .optional(statusOn),
        ])]
    }
}
