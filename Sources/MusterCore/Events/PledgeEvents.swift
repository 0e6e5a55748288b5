/// `pledge.made`: a member pledges to vote for, fund or campaign for a candidate who backs
/// electoral reform in a named seat. The pledge's id is this entry's id.
public struct PledgeMade: EventPayload, Hashable {
    public var kind: String
    public var seat: Constituency
    public var election: String?
    public var amount: Money?
    public var hours: Int?
    /// A pledge.
    public init(kind: String, seat: Constituency, election: String? = nil, amount: Money? = nil, hours: Int? = nil) {
        self.kind = kind; self.seat = seat; self.election = election; self.amount = amount; self.hours = hours
    }

    public static let schema = EventSchema(
        type: "pledge.made", summary: "A member pledges to vote, donate or campaign in a seat.", subject: .required,
        clear: [.required("kind", .token(Vocabulary.pledgeKinds), "What is pledged."),
                .required("seat", .constituency, "The seat."), .optional("election", .slug, "Election id, e.g. ge-2029."),
                .optional("amount", .money, "Amount pledged (donate pledges)."),
                .optional("hours", .integer(min: 1, max: 10_000), "Hours pledged (campaign pledges).")])
}

/// `pledge.fulfilled`: a pledge is kept.
public struct PledgeFulfilled: EventPayload, Hashable {
    public var pledge: EventID
    public var fulfilledOn: CalendarDate
    /// A fulfilment.
    public init(pledge: EventID, fulfilledOn: CalendarDate) { self.pledge = pledge; self.fulfilledOn = fulfilledOn }

    public static let schema = EventSchema(
        type: "pledge.fulfilled", summary: "A pledge is fulfilled.", subject: .required,
        clear: [Fields.ref("pledge", "Id of the pledge.made entry."), Fields.date("fulfilledOn", "Date fulfilled.")])
}

/// `pledge.withdrawn`: a pledge is withdrawn.
public struct PledgeWithdrawn: EventPayload, Hashable {
    public var pledge: EventID
    public var withdrawnOn: CalendarDate
    /// A withdrawal.
    public init(pledge: EventID, withdrawnOn: CalendarDate) { self.pledge = pledge; self.withdrawnOn = withdrawnOn }

    public static let schema = EventSchema(
        type: "pledge.withdrawn", summary: "A pledge is withdrawn.", subject: .required,
        clear: [Fields.ref("pledge", "Id of the pledge.made entry."), Fields.date("withdrawnOn", "Date withdrawn.")])
}
