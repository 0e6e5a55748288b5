/// `consent.recorded`: a member consents to contact for one purpose over one channel.
public struct ConsentRecorded: EventPayload, Hashable {
    public var purpose: String
    public var channel: String
    public var recordedOn: CalendarDate
    public var source: String?
    public var wording: String?

    /// A consent.
    public init(purpose: String, channel: String, recordedOn: CalendarDate, source: String? = nil, wording: String? = nil) {
        self.purpose = purpose; self.channel = channel; self.recordedOn = recordedOn
        self.source = source; self.wording = wording
    }

    public static let schema = EventSchema(
        type: "consent.recorded", summary: "A member gives consent for a purpose over a channel.", subject: .required,
        clear: [.required("purpose", .token(Vocabulary.consentPurposes), "What the consent is for."),
                .required("channel", .token(Vocabulary.channels), "How the member may be contacted."),
                Fields.date("recordedOn", "Date consent was given."),
                .optional("source", .token(["form", "verbal", "email", "import", "other"]), "How consent was captured."),
                .optional("wording", .slug, "Version id of the consent wording shown.")])
}

/// `consent.withdrawn`: a member withdraws consent for a purpose over a channel.
public struct ConsentWithdrawn: EventPayload, Hashable {
    public var purpose: String
    public var channel: String
    public var withdrawnOn: CalendarDate

    /// A withdrawal.
    public init(purpose: String, channel: String, withdrawnOn: CalendarDate) {
        self.purpose = purpose; self.channel = channel; self.withdrawnOn = withdrawnOn
    }

    public static let schema = EventSchema(
        type: "consent.withdrawn", summary: "A member withdraws consent for a purpose over a channel.",
        subject: .required,
        clear: [.required("purpose", .token(Vocabulary.consentPurposes), "What the consent was for."),
                .required("channel", .token(Vocabulary.channels), "The channel."),
                Fields.date("withdrawnOn", "Date consent was withdrawn.")])
}
