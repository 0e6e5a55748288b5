/// One field of an event's payload (clear or sealed), from which the event's JSON Schema is made.
public struct FieldSpec: Sendable {
    /// The member name in the payload object.
    public let name: String
    /// What values it takes.
    public let kind: FieldKind
    /// Whether the member must be present.
    public let isRequired: Bool
    /// One sentence for the schema's `description`.
    public let summary: String

    /// A required field.
    public static func required(_ name: String, _ kind: FieldKind, _ summary: String) -> FieldSpec {
        FieldSpec(name: name, kind: kind, isRequired: true, summary: summary)
    }

    /// An optional field (omitted when absent; `null` is never written).
    public static func optional(_ name: String, _ kind: FieldKind, _ summary: String) -> FieldSpec {
        FieldSpec(name: name, kind: kind, isRequired: false, summary: summary)
    }
}

/// The value domains event fields draw on. Each maps to a fixed JSON Schema fragment.
public indirect enum FieldKind: Sendable {
    /// Free text of at most `maxLength` characters.
    case text(maxLength: Int)
    /// One of a closed set of tokens.
    case token([String])
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// An instant, RFC 3339 UTC with milliseconds.
    case timestamp
    /// A UUIDv7 event id (a reference to an earlier entry).
    case eventID
    /// A subject (member or donor) id.
    case subjectID
    /// Any lowercase UUID (session, plan, import ids).
    case uuid
    /// An integer in a closed range.
    case integer(min: Int64, max: Int64)
    /// A boolean.
    case boolean
    /// Integer minor units plus an ISO 4217 code.
    case money
    /// A Westminster constituency: GSS code plus boundary set.
    case constituency
    /// One of the UK's twelve ONS regions.
    case region
    /// A postcode's outward code (`S10`, `SW1A`): not identifying on its own.
    case outwardCode
    /// 32 bytes in lowercase hex, e.g. a blind index or a file hash.
    case sha256Hex
    /// An e-mail address (personal: sealed only).
    case email
    /// A telephone number (personal: sealed only).
    case phone
    /// A full UK postcode (personal: sealed only).
    case postcode
    /// A course id, a short lowercase slug.
    case slug
    /// A nested object.
    case object([FieldSpec])
    /// A list of values.
    case list(FieldKind, maxItems: Int)
}

/// The fixed vocabularies of the domain.
public enum Vocabulary {
    /// The UK's twelve ONS regions (ITL1), as slugs.
    public static let regions = [
        "north-east", "north-west", "yorkshire-and-the-humber", "east-midlands", "west-midlands",
        "east-of-england", "london", "south-east", "south-west", "wales", "scotland", "northern-ireland",
    ]
    /// Westminster boundary sets a constituency code may belong to.
    public static let boundarySets = ["2010", "2024"]
    /// Consent purposes.
    public static let consentPurposes = ["news", "campaigning", "fundraising", "volunteering", "research", "data-sharing"]
    /// Contact channels.
    public static let channels = ["email", "phone", "sms", "post", "in-person", "web"]
    /// How a donation arrived.
    public static let paymentMethods = ["card", "bank-transfer", "direct-debit", "cash", "cheque", "online", "other"]
    /// Kinds of donor under PPERA.
    public static let donorKinds = [
        "individual", "company", "trade-union", "registered-party", "building-society", "llp",
        "friendly-society", "unincorporated-association", "trust", "other",
    ]
    /// What a pledge promises.
    public static let pledgeKinds = ["vote", "donate", "campaign"]
}
