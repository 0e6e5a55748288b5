/// `member.joined`: a person joins the movement at a hub.
public struct MemberJoined: EventPayload, Hashable {
    public var region: String
    public var constituency: Constituency
    public var outwardCode: String?
    public var joinedOn: CalendarDate
    public var source: String?
    public var emailIndex: String?

    /// The new member's personal details (sealed).
    public struct Personal: Codable, Sendable, Hashable {
        public var name: String
        public var email: String?
        public var phone: String?
        public var address: String?
        public var postcode: String?
        public var dateOfBirth: CalendarDate?
        /// Personal details; only the name is required.
        public init(name: String, email: String? = nil, phone: String? = nil, address: String? = nil,
                    postcode: String? = nil, dateOfBirth: CalendarDate? = nil) {
            self.name = name; self.email = email; self.phone = phone
            self.address = address; self.postcode = postcode; self.dateOfBirth = dateOfBirth
        }
    }

    /// A join.
    public init(region: String, constituency: Constituency, outwardCode: String? = nil, joinedOn: CalendarDate,
                source: String? = nil, emailIndex: String? = nil) {
        self.region = region; self.constituency = constituency; self.outwardCode = outwardCode
        self.joinedOn = joinedOn; self.source = source; self.emailIndex = emailIndex
    }

    public static let schema = EventSchema(
        type: "member.joined", summary: "A person joins the movement.", subject: .required,
        clear: [Fields.region, Fields.constituency, Fields.outwardCode, Fields.date("joinedOn", "Date of joining."),
                .optional("source", .token(["web", "event", "phone", "paper", "import"]), "How they joined."),
                Fields.emailIndex],
        personal: [Fields.name, Fields.email, Fields.phone, Fields.address, Fields.postcode, Fields.dateOfBirth])
}

/// `member.details-changed`: corrects or updates a member's details; absent fields are unchanged.
public struct MemberDetailsChanged: EventPayload, Hashable {
    public var outwardCode: String?
    public var emailIndex: String?

    /// The changed personal details (sealed); absent ones are unchanged.
    public struct Personal: Codable, Sendable, Hashable {
        public var name: String?
        public var email: String?
        public var phone: String?
        public var address: String?
        public var postcode: String?
        public var dateOfBirth: CalendarDate?
        /// Changed details.
        public init(name: String? = nil, email: String? = nil, phone: String? = nil, address: String? = nil,
                    postcode: String? = nil, dateOfBirth: CalendarDate? = nil) {
            self.name = name; self.email = email; self.phone = phone
            self.address = address; self.postcode = postcode; self.dateOfBirth = dateOfBirth
        }
    }

    /// A change.
    public init(outwardCode: String? = nil, emailIndex: String? = nil) {
        self.outwardCode = outwardCode; self.emailIndex = emailIndex
    }

    public static let schema = EventSchema(
        type: "member.details-changed", summary: "A member's details change; absent fields are unchanged.",
        subject: .required, clear: [Fields.outwardCode, Fields.emailIndex],
        personal: [.optional("name", .text(maxLength: 200), "Full name."), Fields.email, Fields.phone,
                   Fields.address, Fields.postcode, Fields.dateOfBirth])
}

/// `member.moved`: a member moves to another region, constituency or hub.
public struct MemberMoved: EventPayload, Hashable {
    public var region: String
    public var constituency: Constituency
    public var outwardCode: String?
    public var movedOn: CalendarDate
    public var toHub: String?

    /// A move.
    public init(region: String, constituency: Constituency, outwardCode: String? = nil, movedOn: CalendarDate, toHub: String? = nil) {
        self.region = region; self.constituency = constituency; self.outwardCode = outwardCode
        self.movedOn = movedOn; self.toHub = toHub
    }

    public static let schema = EventSchema(
        type: "member.moved", summary: "A member moves region, constituency or hub.", subject: .required,
        clear: [Fields.region, Fields.constituency, Fields.outwardCode, Fields.date("movedOn", "Date of the move."),
                .optional("toHub", .text(maxLength: 255), "Origin of the hub that now looks after the member.")])
}

/// `member.lapsed`: a membership lapses (not renewed, payment failed).
public struct MemberLapsed: EventPayload, Hashable {
    public var lapsedOn: CalendarDate
    public var reason: String?
    /// A lapse.
    public init(lapsedOn: CalendarDate, reason: String? = nil) { self.lapsedOn = lapsedOn; self.reason = reason }

    public static let schema = EventSchema(
        type: "member.lapsed", summary: "A membership lapses.", subject: .required,
        clear: [Fields.date("lapsedOn", "Date the membership lapsed."),
                .optional("reason", .token(["not-renewed", "payment-failed", "other"]), "Why it lapsed.")])
}

/// `member.renewed`: a membership is renewed.
public struct MemberRenewed: EventPayload, Hashable {
    public var renewedOn: CalendarDate
    public var until: CalendarDate?
    /// A renewal.
    public init(renewedOn: CalendarDate, until: CalendarDate? = nil) { self.renewedOn = renewedOn; self.until = until }

    public static let schema = EventSchema(
        type: "member.renewed", summary: "A membership is renewed.", subject: .required,
        clear: [Fields.date("renewedOn", "Date of renewal."), .optional("until", .date, "Renewed until.")])
}

/// `member.left`: a member leaves the movement.
public struct MemberLeft: EventPayload, Hashable {
    public var leftOn: CalendarDate
    public var reason: String?

    /// Why, in the member's words (sealed).
    public struct Personal: Codable, Sendable, Hashable {
        public var note: String?
        /// A note.
        public init(note: String? = nil) { self.note = note }
    }

    /// A departure.
    public init(leftOn: CalendarDate, reason: String? = nil) { self.leftOn = leftOn; self.reason = reason }

    public static let schema = EventSchema(
        type: "member.left", summary: "A member leaves the movement.", subject: .required,
        clear: [Fields.date("leftOn", "Date of leaving."),
                .optional("reason", .token(["resigned", "deceased", "expelled", "other"]), "Why they left.")],
        personal: [Fields.note])
}
