/// Every event type and version this build knows, with compiled validators.
public enum EventCatalog {
    /// The Swift types of every event type version.
    public static let payloadTypes: [any EventPayload.Type] = [
        MemberJoined.self, MemberDetailsChanged.self, MemberMoved.self, MemberLapsed.self, MemberRenewed.self,
        MemberLeft.self, ConsentRecorded.self, ConsentWithdrawn.self, DonationReceived.self,
        DonationPermissibilityChecked.self, DonationAccepted.self, DonationReturned.self, DonationRefunded.self,
        DonationPlanStarted.self, DonationPlanEnded.self, TrainingSessionHeld.self, TrainingAttendanceRecorded.self,
        PledgeMade.self, PledgeFulfilled.self, PledgeWithdrawn.self, SubjectErased.self, ImportCompleted.self,
        EventVoided.self,
    ]

    /// Every schema, in catalogue order.
    public static let schemas: [EventSchema] = payloadTypes.map { $0.schema }

    /// A key naming one type version.
    public struct Key: Hashable, Sendable {
        /// Event type.
        public let type: String
        /// Schema version.
        public let version: Int
        /// A key.
        public init(type: String, version: Int) { self.type = type; self.version = version }
    }

    /// An event type version with its compiled validators. A class: every entry checked holds
    /// one, and passing a reference costs one count where this many arrays and strings cost dozens.
    public final class Entry: Sendable {
        /// The definition.
        public let schema: EventSchema
        /// Validates whole entries.
        public let entryValidator: SchemaValidator
        /// Validates the sealed plaintext (messages never echo personal values).
        public let personalValidator: SchemaValidator

        init(schema: EventSchema, entryValidator: SchemaValidator, personalValidator: SchemaValidator) {
            self.schema = schema; self.entryValidator = entryValidator; self.personalValidator = personalValidator
        }
    }

    private static let byKey: [Key: Entry] = Dictionary(uniqueKeysWithValues: schemas.map { schema in
        (Key(type: schema.type, version: schema.version),
         Entry(schema: schema, entryValidator: try! SchemaValidator(schema: schema.document),
               personalValidator: try! SchemaValidator(schema: schema.personalDocument, redactsValues: true)))
    })

    /// The type versions by a hash of the type's bytes and the version, for the fast path.
    private static let byTypeHash: [UInt64: Entry] = Dictionary(uniqueKeysWithValues: schemas.map { schema in
        var type = schema.type
        return (type.withUTF8 { typeHash($0, version: Int64(schema.version)) }, byKey[Key(type: schema.type, version: schema.version)]!)
    })

    /// FNV-1a over the type's bytes, then the version.
    private static func typeHash(_ type: UnsafeBufferPointer<UInt8>, version: Int64) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in type { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return (h ^ UInt64(bitPattern: version)) &* 0x0000_0100_0000_01B3
    }

    /// The type version named by UTF-8 bytes, or nil (for the fast path; ``lookup(type:version:)`` says why).
    static func lookup(type: UnsafeBufferPointer<UInt8>, version: Int64) -> Entry? {
        guard let entry = byTypeHash[typeHash(type, version: version)] else { return nil }
        var name = entry.schema.type
        return entry.schema.version == version && name.withUTF8({ $0.elementsEqual(type) }) ? entry : nil
    }

    /// The type version, or an error naming the known types.
    public static func lookup(type: String, version: Int) throws(CoreError) -> Entry {
        if let entry = byKey[Key(type: type, version: version)] { return entry }
        if schemas.contains(where: { $0.type == type }) {
            throw CoreError(.unknownEventType, "event type '\(type)' has no schema version \(version)")
        }
        throw CoreError(.unknownEventType, "unknown event type '\(type.prefix(60))'; known types: \(typeNames.joined(separator: ", "))")
    }

    /// The latest version of a type.
    public static func latest(type: String) throws(CoreError) -> Entry {
        guard let version = schemas.filter({ $0.type == type }).map(\.version).max() else {
            throw CoreError(.unknownEventType, "unknown event type '\(type.prefix(60))'; known types: \(typeNames.joined(separator: ", "))")
        }
        return try lookup(type: type, version: version)
    }

    /// The distinct type names, in catalogue order.
    public static var typeNames: [String] {
        var seen = Set<String>()
        return schemas.map(\.type).filter { seen.insert($0).inserted }
    }
}
