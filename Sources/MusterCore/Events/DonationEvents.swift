/// `donation.received`: money arrives from a donor (the subject). Amount and date stay in the clear:
/// the law requires them to be kept and reported.
public struct DonationReceived: EventPayload, Hashable {
    public var amount: Money
    public var receivedOn: CalendarDate
    public var method: String
    public var donorKind: String
    public var accountingUnit: String?
    public var planId: String?

    /// The donor's identifying details (sealed); the register needs them, the log never shows them.
    public struct Personal: Codable, Sendable, Hashable {
        public var donorName: String?
        public var donorAddress: String?
        public var postcode: String?
        public var note: String?
        /// Donor details.
        public init(donorName: String? = nil, donorAddress: String? = nil, postcode: String? = nil, note: String? = nil) {
            self.donorName = donorName; self.donorAddress = donorAddress; self.postcode = postcode; self.note = note
        }
    }

    /// A receipt.
    public init(amount: Money, receivedOn: CalendarDate, method: String, donorKind: String,
                accountingUnit: String? = nil, planId: String? = nil) {
        self.amount = amount; self.receivedOn = receivedOn; self.method = method; self.donorKind = donorKind
        self.accountingUnit = accountingUnit; self.planId = planId
    }

    public static let schema = EventSchema(
        type: "donation.received", summary: "A donation is received from a donor (the subject).", subject: .required,
        clear: [.required("amount", .money, "Amount received."), Fields.date("receivedOn", "Date of receipt."),
                .required("method", .token(Vocabulary.paymentMethods), "How it was paid."),
                .required("donorKind", .token(Vocabulary.donorKinds), "Kind of donor under PPERA."),
                .optional("accountingUnit", .slug, "Accounting unit that received it; absent for the central party."),
                .optional("planId", .uuid, "Recurring plan this payment belongs to.")],
        personal: [.optional("donorName", .text(maxLength: 200), "Donor's name."),
                   .optional("donorAddress", .text(maxLength: 500), "Donor's address."), Fields.postcode, Fields.note])
}

/// `donation.permissibility-checked`: the treasurer's permissibility check of a donation.
public struct DonationPermissibilityChecked: EventPayload, Hashable {
    public var donation: EventID
    public var checkedOn: CalendarDate
    public var outcome: String
    public var basis: String

    /// A check.
    public init(donation: EventID, checkedOn: CalendarDate, outcome: String, basis: String) {
        self.donation = donation; self.checkedOn = checkedOn; self.outcome = outcome; self.basis = basis
    }

    public static let schema = EventSchema(
        type: "donation.permissibility-checked", summary: "A donation's permissibility is checked.", subject: .required,
        clear: [Fields.ref("donation", "Id of the donation.received entry."), Fields.date("checkedOn", "Date of the check."),
                .required("outcome", .token(["permissible", "impermissible"]), "Result."),
                .required("basis", .token(["electoral-register", "companies-house", "trade-union-list", "party-register", "other"]),
                          "Evidence checked.")])
}

/// `donation.accepted`: the treasurer accepts a donation (often with an author signature).
public struct DonationAccepted: EventPayload, Hashable {
    public var donation: EventID
    public var acceptedOn: CalendarDate
    /// An acceptance.
    public init(donation: EventID, acceptedOn: CalendarDate) { self.donation = donation; self.acceptedOn = acceptedOn }

    public static let schema = EventSchema(
        type: "donation.accepted", summary: "A donation is accepted.", subject: .required,
        clear: [Fields.ref("donation", "Id of the donation.received entry."), Fields.date("acceptedOn", "Date of acceptance.")])
}

/// `donation.returned`: a donation is returned to the donor (e.g. impermissible).
public struct DonationReturned: EventPayload, Hashable {
    public var donation: EventID
    public var returnedOn: CalendarDate
    public var reason: String
    /// A return.
    public init(donation: EventID, returnedOn: CalendarDate, reason: String) {
        self.donation = donation; self.returnedOn = returnedOn; self.reason = reason
    }

    public static let schema = EventSchema(
        type: "donation.returned", summary: "A donation is returned to its donor.", subject: .required,
        clear: [Fields.ref("donation", "Id of the donation.received entry."), Fields.date("returnedOn", "Date returned."),
                .required("reason", .token(["impermissible", "unidentifiable-donor", "donor-request", "other"]), "Why.")])
}

/// `donation.refunded`: part or all of a donation is refunded.
public struct DonationRefunded: EventPayload, Hashable {
    public var donation: EventID
    public var refundedOn: CalendarDate
    public var amount: Money
    /// A refund.
    public init(donation: EventID, refundedOn: CalendarDate, amount: Money) {
        self.donation = donation; self.refundedOn = refundedOn; self.amount = amount
    }

    public static let schema = EventSchema(
        type: "donation.refunded", summary: "Part or all of a donation is refunded.", subject: .required,
        clear: [Fields.ref("donation", "Id of the donation.received entry."), Fields.date("refundedOn", "Date refunded."),
                .required("amount", .money, "Amount refunded.")])
}

/// `donation.plan-started`: a donor sets up a recurring donation.
public struct DonationPlanStarted: EventPayload, Hashable {
    public var planId: String
    public var amount: Money
    public var frequency: String
    public var startsOn: CalendarDate
    public var method: String
    /// A plan.
    public init(planId: String, amount: Money, frequency: String, startsOn: CalendarDate, method: String) {
        self.planId = planId; self.amount = amount; self.frequency = frequency; self.startsOn = startsOn; self.method = method
    }

    public static let schema = EventSchema(
        type: "donation.plan-started", summary: "A recurring donation plan starts.", subject: .required,
        clear: [.required("planId", .uuid, "Plan id."), .required("amount", .money, "Amount per payment."),
                .required("frequency", .token(["weekly", "monthly", "quarterly", "annually"]), "How often."),
                Fields.date("startsOn", "First payment date."),
                .required("method", .token(Vocabulary.paymentMethods), "How it is paid.")])
}

/// `donation.plan-ended`: a recurring donation plan ends.
public struct DonationPlanEnded: EventPayload, Hashable {
    public var planId: String
    public var endsOn: CalendarDate
    public var reason: String?
    /// An end.
    public init(planId: String, endsOn: CalendarDate, reason: String? = nil) {
        self.planId = planId; self.endsOn = endsOn; self.reason = reason
    }

    public static let schema = EventSchema(
        type: "donation.plan-ended", summary: "A recurring donation plan ends.", subject: .required,
        clear: [.required("planId", .uuid, "Plan id."), Fields.date("endsOn", "Last day of the plan."),
                .optional("reason", .token(["donor-cancelled", "payment-failed", "other"]), "Why it ended.")])
}
