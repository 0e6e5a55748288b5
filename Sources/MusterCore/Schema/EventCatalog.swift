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
        /// What the type means to the checks that span entries, decided once here so that a
        /// check of a million entries switches on a byte instead of comparing type names.
        public let role: Role

        init(schema: EventSchema, entryValidator: SchemaValidator, personalValidator: SchemaValidator) {
            self.schema = schema; self.entryValidator = entryValidator; self.personalValidator = personalValidator
            role = Role(type: schema.type)
        }
    }

    /// The event types other entries refer to, or that refer to earlier entries (voids, and what
    /// happens to a donation or a pledge later), each its own case; every other type is `.other`.
    public enum Role: UInt8, Sendable, Hashable {
        case other, donationReceived, donationChecked, donationAccepted, donationReturned, donationRefunded
        case pledgeMade, pledgeFulfilled, pledgeWithdrawn, voided

        /// The role of `type`.
        public init(type: String) {
            switch type {
            case DonationReceived.schema.type: self = .donationReceived
            case DonationPermissibilityChecked.schema.type: self = .donationChecked
            case DonationAccepted.schema.type: self = .donationAccepted
            case DonationReturned.schema.type: self = .donationReturned
            case DonationRefunded.schema.type: self = .donationRefunded
            case PledgeMade.schema.type: self = .pledgeMade
            case PledgeFulfilled.schema.type: self = .pledgeFulfilled
            case PledgeWithdrawn.schema.type: self = .pledgeWithdrawn
            case EventVoided.schema.type: self = .voided
            default: self = .other
            }
        }
    }

    private static let byKey: [Key: Entry] = Dictionary(uniqueKeysWithValues: schemas.map { schema in
        (Key(type: schema.type, version: schema.version),
         Entry(schema: schema, entryValidator: try! SchemaValidator(schema: schema.document),
               personalValidator: try! SchemaValidator(schema: schema.personalDocument, redactsValues: true)))
    })

    /// The type versions for the fast path, as a table that is never freed: the catalogue lives
    /// as long as the process. Entries are checked on every core at once, and a lookup here takes
    /// no reference count (the entries are `Unmanaged`, the names raw bytes), so the cores do not
    /// contend for the counters of a few shared objects, which cost more than the lookup itself.
    private struct FastTable: @unchecked Sendable {
        struct Slot {
            let version: Int64
            let type: UnsafeBufferPointer<UInt8>
            let entry: Unmanaged<Entry>
        }
        let slots: UnsafeBufferPointer<Slot>
    }

    private static let fast: FastTable = {
        let slots = UnsafeMutableBufferPointer<FastTable.Slot>.allocate(capacity: byKey.count)
        for (i, (key, entry)) in byKey.enumerated() {
            let name = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, key.type.utf8.count))
            _ = name.initialize(from: key.type.utf8)
            let type = UnsafeBufferPointer(rebasing: name[..<key.type.utf8.count])
            slots.initializeElement(at: i, to: .init(version: Int64(key.version), type: type, entry: .passUnretained(entry)))
        }
        return FastTable(slots: UnsafeBufferPointer(slots))
    }()

    /// The type version named by UTF-8 bytes, or nil (for the fast path; ``lookup(type:version:)``
    /// says why). Unretained: every entry lives in the catalogue for as long as the process.
    static func lookup(type: UnsafeBufferPointer<UInt8>, version: Int64) -> Unmanaged<Entry>? {
        // A scan of a few dozen slots, the version and length compared before any byte.
        for slot in fast.slots where slot.version == version && slot.type.count == type.count && slot.type.elementsEqual(type) {
            return slot.entry
        }
        return nil
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
