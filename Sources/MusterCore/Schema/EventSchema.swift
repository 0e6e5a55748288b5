/// The definition of one event type at one schema version: its clear payload, its personal
/// (sealed) fields and whether it names a subject. Its JSON Schema (2020-12) document is derived
/// from this definition, written to `Schemas/` and used to validate every entry of the type.
public struct EventSchema: Sendable {
    /// Whether entries of a type name a subject (member or donor).
    public enum SubjectRule: Sendable {
        /// The envelope must carry `subject`.
        case required
        /// The envelope must not carry `subject`.
        case none
    }

    /// The event type, e.g. `member.joined`.
    public let type: String
    /// The type's schema version, starting at 1.
    public let version: Int
    /// One or two sentences on what the event means.
    public let summary: String
    /// Whether the envelope names a subject.
    public let subject: SubjectRule
    /// Fields of the clear payload: what reports need and is not identifying on its own.
    public let clear: [FieldSpec]
    /// Personal fields; they only ever travel sealed.
    public let personal: [FieldSpec]

    /// Defines an event type version.
    public init(
        type: String, version: Int = 1, summary: String, subject: SubjectRule,
        clear: [FieldSpec], personal: [FieldSpec] = []
    ) {
        self.type = type
        self.version = version
        self.summary = summary
        self.subject = subject
        self.clear = clear
        self.personal = personal
    }

    /// The `$id` of the schema document.
    public var id: String { "https://muster.example.org/schemas/\(type)/v\(version).schema.json" }

    /// The schema's file name under `Schemas/events/`.
    public var fileName: String { "\(type).v\(version).schema.json" }

    /// Whether some personal field is required, so that every entry must carry a sealed payload.
    public var requiresSealed: Bool { personal.contains { $0.isRequired } }

    /// The JSON Schema (2020-12) document for whole entries of this type.
    public var document: JSONValue {
        var properties = EnvelopeSchema.properties(type: type, version: version)
        var required = EnvelopeSchema.required
        if subject == .required {
            properties["subject"] = SchemaFragments.fragment(for: .subjectID)
            required.append("subject")
        }
        properties["payload"] = SchemaFragments.object(clear, description: "Clear payload (never personal data).")
        if !personal.isEmpty {
            properties["sealed"] = .object(["$ref": .string("#/$defs/sealed")])
            if requiresSealed { required.append("sealed") }
        }
        var defs: [String: JSONValue] = ["hlc": EnvelopeSchema.hlc, "authorSig": EnvelopeSchema.authorSig]
        if !personal.isEmpty {
            defs["sealed"] = EnvelopeSchema.sealed
            defs["personal"] = SchemaFragments.object(
                personal, description: "Plaintext of `sealed`: canonical JSON, AES-256-GCM under the subject's key.")
        }
        return .object([
            "$schema": .string("https://json-schema.org/draft/2020-12/schema"),
            "$id": .string(id),
            "title": .string("\(type) v\(version)"),
            "description": .string(summary),
            "type": .string("object"),
            "properties": .object(properties),
            "required": .array(required.sorted().map(JSONValue.string)),
            "additionalProperties": .bool(false),
            "$defs": .object(defs),
        ])
    }

    /// The JSON Schema of the sealed plaintext alone (for validating personal fields before sealing).
    public var personalDocument: JSONValue {
        var doc = SchemaFragments.object(personal, description: "Personal fields of \(type) v\(version).")
        if case .object(var members) = doc {
            members["$schema"] = .string("https://json-schema.org/draft/2020-12/schema")
            doc = .object(members)
        }
        return doc
    }
}

/// JSON Schema fragments for field kinds.
enum SchemaFragments {
    static func object(_ fields: [FieldSpec], description: String? = nil) -> JSONValue {
        var members: [String: JSONValue] = [
            "type": .string("object"),
            "properties": .object(Dictionary(uniqueKeysWithValues: fields.map { field in
                var fragment = fragment(for: field.kind)
                if case .object(var m) = fragment, !field.summary.isEmpty {
                    m["description"] = .string(field.summary)
                    fragment = .object(m)
                }
                return (field.name, fragment)
            })),
            "required": .array(fields.filter(\.isRequired).map(\.name).sorted().map(JSONValue.string)),
            "additionalProperties": .bool(false),
        ]
        if let description { members["description"] = .string(description) }
        return .object(members)
    }

    static func string(pattern: String, maxLength: Int? = nil) -> JSONValue {
        var m: [String: JSONValue] = ["type": .string("string"), "pattern": .string(pattern)]
        if let maxLength { m["maxLength"] = .number(Double(maxLength)) }
        return .object(m)
    }

    static func integer(_ min: Int64, _ max: Int64) -> JSONValue {
        .object(["type": .string("integer"), "minimum": .number(Double(min)), "maximum": .number(Double(max))])
    }

    static func tokens(_ values: [String]) -> JSONValue {
        .object(["type": .string("string"), "enum": .array(values.map(JSONValue.string))])
    }

    static func fragment(for kind: FieldKind) -> JSONValue {
        switch kind {
        case .text(let maxLength):
            return .object(["type": .string("string"), "minLength": .number(1), "maxLength": .number(Double(maxLength))])
        case .token(let values): return tokens(values)
        case .date: return .object(["type": .string("string"), "format": .string("date"), "pattern": .string(PatternLibrary.date)])
        case .timestamp:
            return .object(["type": .string("string"), "format": .string("date-time"), "pattern": .string(PatternLibrary.timestamp)])
        case .eventID: return string(pattern: PatternLibrary.uuidV7)
        case .subjectID, .uuid: return string(pattern: PatternLibrary.uuid)
        case .integer(let min, let max): return integer(min, max)
        case .boolean: return .object(["type": .string("boolean")])
        case .money:
            return object([
                .required("minor", .integer(min: 0, max: Money.maxMinor), "Amount in minor units (pence for GBP)."),
                .required("currency", .token(Currency.allCodes), "ISO 4217 currency code."),
            ])
        case .constituency:
            return .object([
                "type": .string("object"),
                "properties": .object([
                    "code": string(pattern: PatternLibrary.gss),
                    "boundarySet": tokens(Vocabulary.boundarySets),
                ]),
                "required": .array([.string("boundarySet"), .string("code")]),
                "additionalProperties": .bool(false),
                "description": .string("Westminster constituency: ONS/GSS code and the boundary review it belongs to."),
            ])
        case .region: return tokens(Vocabulary.regions)
        case .outwardCode: return string(pattern: PatternLibrary.outwardCode, maxLength: 4)
        case .sha256Hex: return string(pattern: PatternLibrary.sha256Hex)
        case .email: return .object(["type": .string("string"), "format": .string("email"), "pattern": .string(PatternLibrary.email), "maxLength": .number(254)])
        case .phone: return string(pattern: PatternLibrary.phone, maxLength: 26)
        case .postcode: return string(pattern: PatternLibrary.postcode, maxLength: 8)
        case .slug: return string(pattern: PatternLibrary.slug)
        case .object(let fields): return object(fields)
        case .list(let element, let maxItems):
            return .object(["type": .string("array"), "items": fragment(for: element), "maxItems": .number(Double(maxItems))])
        }
    }
}
