/// Donations: each donation with its permissibility check, acceptance, return and refunds, and
/// each recurring plan. Amounts and dates are clear in the log (the law keeps them); donors'
/// names stay sealed.
///
/// Merge rules: a donation's row exists once its `donation.received` fact is held (events that
/// refer to it may arrive first, from another hub, and wait as facts); the check, acceptance and
/// return are last-writer-wins; refunds are a sum over distinct refund events.
public struct DonationsProjection: Projection {
    public let name = "donations"
    public let version = 1
    public init() {}

    static let donation = "donation", plan = "plan"
    static let referring: Set<String> = [
        DonationPermissibilityChecked.schema.type, DonationAccepted.schema.type, DonationReturned.schema.type,
        DonationRefunded.schema.type,
    ]

    public let tables = [
        ReadModelTable("rm_donation", entity: donation, columns: [
            .init("key"), .init("donor"), .init("origin"), .init("amount_minor", integer: true), .init("currency"),
            .init("received_on"), .init("method"), .init("donor_kind"), .init("unit"), .init("plan_id"),
            .init("check_outcome"), .init("check_basis"), .init("checked_on"), .init("accepted_on"),
            .init("returned_on"), .init("return_reason"), .init("refunded_minor", integer: true), .init("refunded_on"),
        ]),
        ReadModelTable("rm_plan", entity: plan, columns: [
            .init("key"), .init("donor"), .init("amount_minor", integer: true), .init("currency"), .init("frequency"),
            .init("method"), .init("starts_on"), .init("ends_on"), .init("end_reason"),
        ]),
    ]

    public var routedTypes: Set<String> {
        Self.referring.union([DonationReceived.schema.type, DonationPlanStarted.schema.type, DonationPlanEnded.schema.type])
    }

    public func route(_ envelope: Envelope) -> [FactKey] {
        switch envelope.type {
        case DonationReceived.schema.type: return [FactKey(Self.donation, envelope.id.text)]
        case _ where Self.referring.contains(envelope.type):
            return envelope.payloadView.string("donation").map { [FactKey(Self.donation, $0)] } ?? []
        case DonationPlanStarted.schema.type, DonationPlanEnded.schema.type:
            return envelope.payloadView.string("planId").map { [FactKey(Self.plan, $0)] } ?? []
        default: return []
        }
    }

    public func fold(_ key: FactKey, facts: [Fact]) -> [ReadModelRow] {
        key.entity == Self.plan ? foldPlan(key, facts) : foldDonation(key, facts)
    }

    private func foldDonation(_ key: FactKey, _ facts: [Fact]) -> [ReadModelRow] {
        guard let received = facts.first(where: { $0.type == DonationReceived.schema.type && $0.stamp.eventID == key.key }),
              let amount = received.money("amount") else { return [] }
        var check: Fact?, accepted: Fact?, returned: Fact?
        var refunded: Int64 = 0, refundedOn: CalendarDate?
        for f in facts {
            switch f.type {
            case DonationPermissibilityChecked.schema.type: check = f
            case DonationAccepted.schema.type: accepted = f
            case DonationReturned.schema.type: returned = f
            case DonationRefunded.schema.type:
                // Only refunds in the donation's currency can be netted against it.
                if let r = f.money("amount"), r.currency == amount.currency {
                    refunded += r.minor
                    if let on = f.date("refundedOn") { refundedOn = max(refundedOn ?? on, on) }
                }
            default: continue
            }
        }
        return [ReadModelRow("rm_donation", [
            .text(key.key), .optional(received.subject), .text(received.stamp.origin), .integer(amount.minor),
            .text(amount.currency), .optional(received.string("receivedOn")), .optional(received.string("method")),
            .optional(received.string("donorKind")), .optional(received.string("accountingUnit")),
            .optional(received.string("planId")), .optional(check?.string("outcome")), .optional(check?.string("basis")),
            .optional(check?.string("checkedOn")), .optional(accepted?.string("acceptedOn")),
            .optional(returned?.string("returnedOn")), .optional(returned?.string("reason")), .integer(refunded),
            .optional(refundedOn),
        ])]
    }

    private func foldPlan(_ key: FactKey, _ facts: [Fact]) -> [ReadModelRow] {
        guard let started = facts.last(where: { $0.type == DonationPlanStarted.schema.type }),
              let amount = started.money("amount") else { return [] }
        let ended = facts.last(where: { $0.type == DonationPlanEnded.schema.type })
        return [ReadModelRow("rm_plan", [
            .text(key.key), .optional(started.subject), .integer(amount.minor), .text(amount.currency),
            .optional(started.string("frequency")), .optional(started.string("method")), .optional(started.string("startsOn")),
            .optional(ended?.string("endsOn")), .optional(ended?.string("reason")),
        ])]
    }
}
