/// A Swift type for one event type's clear payload, tied to its schema definition.
///
/// The properties of a conforming type are exactly the clear payload's members; its ``Personal``
/// type holds the fields that travel only in the sealed payload.
public protocol EventPayload: Codable, Sendable {
    /// The personal fields of this event type (``NoPersonalFields`` when it has none).
    associatedtype Personal: Codable & Sendable = NoPersonalFields
    /// The event type's definition, from which its JSON Schema is made.
    static var schema: EventSchema { get }
}

/// The personal part of event types that carry no personal data.
public struct NoPersonalFields: Codable, Sendable, Hashable {
    /// Nothing to hold.
    public init() {}
}

/// Field definitions shared by several event types.
enum Fields {
    static let region = FieldSpec.required("region", .region, "ONS region of the member's hub.")
    static let constituency = FieldSpec.required("constituency", .constituency, "Westminster constituency.")
    static let outwardCode = FieldSpec.optional("outwardCode", .outwardCode, "Postcode outward code, e.g. S10.")
    static let emailIndex = FieldSpec.optional(
        "emailIndex", .sha256Hex, "Keyed blind index of the normalised e-mail (HMAC-SHA-256), to find duplicates.")
    static let name = FieldSpec.required("name", .text(maxLength: 200), "Full name.")
    static let email = FieldSpec.optional("email", .email, "E-mail address.")
    static let phone = FieldSpec.optional("phone", .phone, "Telephone number.")
    static let address = FieldSpec.optional("address", .text(maxLength: 500), "Postal address without the postcode.")
    static let postcode = FieldSpec.optional("postcode", .postcode, "Full postcode.")
    static let dateOfBirth = FieldSpec.optional("dateOfBirth", .date, "Date of birth.")
    static let note = FieldSpec.optional("note", .text(maxLength: 2000), "Free-text note.")

    static func date(_ name: String, _ summary: String) -> FieldSpec { .required(name, .date, summary) }
    static func ref(_ name: String, _ summary: String) -> FieldSpec { .required(name, .eventID, summary) }
}
