/// An event as a person or program submits it, before the hub gives it an id, a place and a time.
/// Personal fields are kept apart from the clear payload and only ever leave as ciphertext.
public struct EntryDraft: Sendable {
    /// The event type, e.g. `donation.received`.
    public var type: String
    /// The schema version; `nil` means the latest this build knows.
    public var typeVersion: Int?
    /// The member or donor it is about.
    public var subject: SubjectID?
    /// Who records it.
    public var operatorID: String
    /// The clear payload (a JSON object).
    public var payload: JSONValue
    /// The personal fields (a JSON object), sealed before the entry is written.
    public var personal: JSONValue?
    /// The event id, when the submitter fixes it (imports, and events that later ones refer to);
    /// a new UUIDv7 otherwise.
    public var id: EventID?
    /// An officer's key to author-sign the entry with (``AuthorSignature``), if any: the writer
    /// signs the entry once its place in the log is fixed.
    public var author: NoteSigner?

    /// A draft from JSON parts.
    public init(type: String, typeVersion: Int? = nil, subject: SubjectID?, operatorID: String,
                payload: JSONValue, personal: JSONValue? = nil, id: EventID? = nil) {
        self.type = type; self.typeVersion = typeVersion; self.subject = subject
        self.operatorID = operatorID; self.payload = payload; self.personal = personal; self.id = id
    }

    /// A draft from an event's Swift type.
    public init<E: EventPayload>(_ event: E, personal: E.Personal? = nil, subject: SubjectID?, operatorID: String,
                                 id: EventID? = nil) throws {
        let payload = try JSONValueEncoder().encode(event)
        var personalJSON: JSONValue?
        if let personal, E.Personal.self != NoPersonalFields.self {
            personalJSON = try JSONValueEncoder().encode(personal)
        }
        self.init(type: E.schema.type, typeVersion: E.schema.version, subject: subject, operatorID: operatorID,
                  payload: payload, personal: personalJSON, id: id)
    }
}

/// A draft that passed every check and had its personal fields sealed: all that remains is to
/// give it a place in the log (seq), a recording time and a clock stamp, which the log's single
/// writer does in order.
public struct PreparedEntry: Sendable {
    /// The parts, behind one reference: a prepared entry is handed through results, batches and
    /// requests, and a copy of ten separately counted parts retained each of them.
    private final class Parts: Sendable {
        let origin: String, id: EventID, type: String, typeVersion: Int, subject: SubjectID?, operatorID: String
        let payload: JSONValue, sealed: SealedPayload?, author: NoteSigner?, template: EntryTemplate

        init(origin: String, id: EventID, type: String, typeVersion: Int, subject: SubjectID?, operatorID: String,
             payload: JSONValue, sealed: SealedPayload?, author: NoteSigner?, template: EntryTemplate) {
            self.origin = origin; self.id = id; self.type = type; self.typeVersion = typeVersion; self.subject = subject
            self.operatorID = operatorID; self.payload = payload; self.sealed = sealed; self.author = author
            self.template = template
        }
    }

    private let parts: Parts
    /// The origin it will be written to.
    public var origin: String { parts.origin }
    /// Its event id (fixed early: the sealed payload is bound to it).
    public var id: EventID { parts.id }
    /// The draft's type.
    public var type: String { parts.type }
    /// The schema version.
    public var typeVersion: Int { parts.typeVersion }
    /// The subject, if any.
    public var subject: SubjectID? { parts.subject }
    /// The operator.
    public var operatorID: String { parts.operatorID }
    /// The clear payload.
    public var payload: JSONValue { parts.payload }
    /// The sealed personal fields, if any.
    public var sealed: SealedPayload? { parts.sealed }
    /// The officer's key that signs the entry when it is assembled, if any.
    public var author: NoteSigner? { parts.author }
    private var template: EntryTemplate { parts.template }

    /// Checks a draft against its schema and seals its personal fields.
    /// - Parameters:
    ///   - id: the event id; the draft's, else a new UUIDv7.
    ///   - keys: where the subject's key is found or created.
    public init(_ draft: EntryDraft, origin: String, id: EventID? = nil, keys: any SubjectKeyStore) throws {
        let catalogued = try draft.typeVersion.map { (v) throws(CoreError) in try EventCatalog.lookup(type: draft.type, version: v) }
            ?? EventCatalog.latest(type: draft.type)
        let schema = catalogued.schema
        let id = id ?? draft.id ?? EventID.generate(unixMillis: UInt64(max(0, Timestamp.now().unixMillis)))
        let context = "\(schema.type) v\(schema.version)"
        switch (schema.subject, draft.subject) {
        case (.required, nil): throw CoreError(.schemaViolation, "\(context): $.subject: this event type needs a subject (member or donor id)")
        case (.none, .some): throw CoreError(.schemaViolation, "\(context): $.subject: this event type takes no subject")
        default: break
        }
        var sealed: SealedPayload?
        if let personal = draft.personal, personal != .object([:]) {
            guard !schema.personal.isEmpty, let subject = draft.subject else {
                throw CoreError(.schemaViolation, "\(context): this event type has no personal fields")
            }
            // Checked on its canonical bytes, the plaintext sealed next; the tree validator gives
            // the verdict and the message where the tape check declines, and has the first word
            // on a value with no canonical form.
            func treeCheck() throws { try catalogued.personalValidator.validate(personal, context: "\(context) personal fields") }
            let plaintext: [UInt8]
            do { plaintext = try CanonicalJSON.encode(personal) } catch {
                try treeCheck()
                throw error
            }
            if !catalogued.personalValidator.accepts(canonical: plaintext) { try treeCheck() }
            sealed = try SealedPayload.seal(canonical: plaintext, key: keys.keyForSealing(subject), origin: origin, id: id)
        } else if schema.requiresSealed {
            let names = schema.personal.filter(\.isRequired).map(\.name).joined(separator: ", ")
            throw CoreError(.schemaViolation, "\(context): missing required personal field(s): \(names)")
        }
        // Validate the whole entry now, with a provisional place, so the writer cannot fail on content:
        // seq, time and clock stamp are schema-valid whatever their values.
        let (seq, recordedAt, hlc) = (UInt64(1), Timestamp(unixMillis: 0), HLCStamp(wallMillis: 0, counter: 0))
        // The tree of the provisional entry, made only where a check needs one.
        func provisional() -> JSONValue {
            Envelope(origin: origin, seq: seq, id: id, type: schema.type, typeVersion: schema.version,
                     recordedAt: recordedAt, hlc: hlc,
                     operatorID: draft.operatorID, subject: draft.subject, payload: draft.payload, sealed: sealed).json
        }
        let template: EntryTemplate
        do {
            template = try EntryTemplate(origin: origin, id: id, type: schema.type, typeVersion: schema.version,
                                         operatorID: draft.operatorID, subject: draft.subject, payload: draft.payload, sealed: sealed)
        } catch {
            try catalogued.entryValidator.validate(provisional(), context: context)  // the schema's word first
            throw error
        }
        // The provisional entry's canonical bytes are checked on a tape in one pass; only what
        // the tape check declines (or rejects) goes through the tree validator, for its verdict
        // and its message. Both check the same value.
        let bytes = template.render(seq: seq, recordedAt: recordedAt, hlc: hlc)
        if !catalogued.entryValidator.accepts(canonical: bytes) {
            try catalogued.entryValidator.validate(provisional(), context: context)
        }
        parts = Parts(origin: origin, id: id, type: schema.type, typeVersion: schema.version, subject: draft.subject,
                      operatorID: draft.operatorID, payload: draft.payload, sealed: sealed, author: draft.author, template: template)
        if let author = draft.author {
            try AuthorSignature.checkKey(author)
            // The signature itself is made by the writer; a placeholder of its size is checked here.
            var signed = provisional().objectValue ?? [:]
            signed["authorSig"] = try AuthorSignature(vkey: author.verifier.vkey, signature: [UInt8](repeating: 0, count: 64)).json
            try catalogued.entryValidator.validate(.object(signed), context: context)
        }
    }

    /// The entry at its place in the log. The content was validated when this value was made, so
    /// only encoding remains.
    /// An author key signs the entry here, over its final bytes.
    public func assemble(seq: UInt64, recordedAt: Timestamp, hlc: HLCStamp) throws(CoreError) -> Entry {
        let unsigned = template.render(seq: seq, recordedAt: recordedAt, hlc: hlc)
        guard let author else {
            return Entry(validatedBytes: unsigned, envelope: envelope(seq: seq, recordedAt: recordedAt, hlc: hlc))
        }
        let (signature, bytes) = try AuthorSignature.sign(unsigned, with: author)
        return Entry(validatedBytes: bytes, envelope: envelope(seq: seq, recordedAt: recordedAt, hlc: hlc, authorSignature: signature))
    }

    /// The envelope at its place in the log (without the author signature, which ``assemble`` makes).
    public func envelope(seq: UInt64, recordedAt: Timestamp, hlc: HLCStamp, authorSignature: AuthorSignature? = nil) -> Envelope {
        Envelope(origin: origin, seq: seq, id: id, type: type, typeVersion: typeVersion, recordedAt: recordedAt,
                 hlc: hlc, operatorID: operatorID, subject: subject, payload: payload, sealed: sealed, authorSignature: authorSignature)
    }
}
