/// `subject.erased`: every hub must destroy this subject's key (crypto-shredding). The log still
/// verifies: hashes and signatures cover only ciphertext.
public struct SubjectErased: EventPayload, Hashable {
    public var requestedOn: CalendarDate
    public var basis: String
    /// An erasure.
    public init(requestedOn: CalendarDate, basis: String) { self.requestedOn = requestedOn; self.basis = basis }

    public static let schema = EventSchema(
        type: "subject.erased", summary: "A subject's personal data is erased by destroying their key.",
        subject: .required,
        clear: [Fields.date("requestedOn", "Date erasure was requested."),
                .required("basis", .token(["gdpr-art17", "retention-expired", "other"]), "Legal basis.")])
}

/// `import.completed`: a batch of events was imported from a file.
public struct ImportCompleted: EventPayload, Hashable {
    public var fileSha256: String
    public var sourceSystem: String
    public var rows: Int
    public var accepted: Int
    public var rejected: Int
    /// An import record.
    public init(fileSha256: String, sourceSystem: String, rows: Int, accepted: Int, rejected: Int) {
        self.fileSha256 = fileSha256; self.sourceSystem = sourceSystem; self.rows = rows
        self.accepted = accepted; self.rejected = rejected
    }

    public static let schema = EventSchema(
        type: "import.completed", summary: "Events were imported from a file.", subject: .none,
        clear: [.required("fileSha256", .sha256Hex, "SHA-256 of the imported file."),
                .required("sourceSystem", .slug, "System the file came from."),
                .required("rows", .integer(min: 0, max: 100_000_000), "Rows in the file."),
                .required("accepted", .integer(min: 0, max: 100_000_000), "Rows recorded."),
                .required("rejected", .integer(min: 0, max: 100_000_000), "Rows rejected.")])
}

/// `event.voided`: an earlier entry is void (recorded in error). Nothing is deleted; projections
/// ignore the target from then on.
public struct EventVoided: EventPayload, Hashable {
    public var target: EventID
    public var reason: String
    /// A voiding.
    public init(target: EventID, reason: String) { self.target = target; self.reason = reason }

    public static let schema = EventSchema(
        type: "event.voided", summary: "An earlier entry is void.", subject: .none,
        clear: [Fields.ref("target", "Id of the voided entry."), .required("reason", .text(maxLength: 500), "Why.")])
}
