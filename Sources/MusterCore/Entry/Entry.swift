/// A log entry: the exact canonical bytes that are stored, hashed, replicated and exported, with
/// their parsed envelope. An `Entry` value always holds bytes that are canonical, schema-valid and
/// whose envelope was read from those very bytes.
public struct Entry: Hashable, Sendable {
    /// The canonical JSON bytes (RFC 8785): the Merkle leaf data.
    public let bytes: [UInt8]
    /// The parsed envelope.
    public let envelope: Envelope

    /// Reads an entry from stored or received bytes: strict canonical JSON, the schema of its type
    /// and version, then the envelope. Errors name the failing field.
    public static func decode(_ bytes: [UInt8]) throws(CoreError) -> Entry {
        // Bytes the tape check accepts are canonical and schema-valid; the envelope is read off that tape.
        var texts = RecurringTexts()
        if let taped = try offTape(bytes, checked: true, texts: &texts) { return taped }
        return Entry(validatedBytes: bytes, envelope: try Envelope(validated: try checkedJSON(bytes)))
    }

    /// The checks of ``decode(_:)`` without reading the envelope into a value: the bytes are
    /// canonical JSON, valid against the schema of their type and version. Returns the JSON.
    public static func checkedJSON(_ bytes: [UInt8]) throws(CoreError) -> JSONValue {
        let json: JSONValue
        do { json = try CanonicalJSON.parseCanonical(bytes) } catch {
            throw CoreError(.invalidEnvelope, "entry is not canonical JSON: \(error)")
        }
        try validate(json)
        return json
    }

    /// Reads an entry a store already checked on the way in (its own appends, verified sync
    /// batches): parses the JSON and reads the envelope, without re-running the schema checks.
    /// For replay and projections; `muster verify` and sync use ``decode(_:)``.
    public static func decode(stored bytes: [UInt8]) throws(CoreError) -> Entry {
        var texts = RecurringTexts()
        return try decode(stored: bytes, texts: &texts)
    }

    /// ``decode(stored:)`` for one of many entries read in turn, which share the texts that
    /// recur between them (origins, operators, types) through `texts`.
    public static func decode(stored bytes: [UInt8], texts: inout RecurringTexts) throws(CoreError) -> Entry {
        // What a hub writes is in the tape's subset; anything else is read by the parser.
        if let taped = try offTape(bytes, checked: false, texts: &texts) { return taped }
        let json: JSONValue
        do { json = try CanonicalJSON.parse(bytes) } catch {
            throw CoreError(.invalidEnvelope, "stored entry is not JSON: \(error)")
        }
        return Entry(validatedBytes: bytes, envelope: try Envelope(validated: json))
    }

    /// The entry with its envelope read off a tape of `bytes` (schema-checked on that tape when
    /// `checked`), or nil when the tape declines them.
    private static func offTape(_ bytes: [UInt8], checked: Bool, texts: inout RecurringTexts) throws(CoreError) -> Entry? {
        let envelope = try bytes.withUnsafeBufferPointer { (u) throws(CoreError) -> Envelope? in
            guard let tape = checked ? CheckedEntry.tapeCheck(u)?.0 : JSONTape(u) else { return nil }
            return try Envelope(tape: tape, bytes: bytes, in: u, texts: &texts)
        }
        return envelope.map { Entry(validatedBytes: bytes, envelope: $0) }
    }

    /// Makes an entry from an envelope: validates it against its schema and encodes it canonically.
    public static func encode(_ envelope: Envelope) throws(CoreError) -> Entry {
        let json = envelope.json
        try validate(json)
        do { return Entry(validatedBytes: try CanonicalJSON.encode(json), envelope: envelope) } catch {
            throw CoreError(.invalidEnvelope, "entry cannot be encoded: \(error)")
        }
    }

    init(validatedBytes bytes: [UInt8], envelope: Envelope) {
        self.bytes = bytes
        self.envelope = envelope
    }

    /// The RFC 9162 leaf hash, SHA-256(0x00 ‖ bytes).
    public var leafHash: MerkleHash { MerkleHash.leafHash(bytes) }

    private static func validate(_ json: JSONValue) throws(CoreError) {
        guard case .object = json else { throw CoreError(.invalidEnvelope, "an entry must be a JSON object") }
        guard json["v"] == .number(Double(MusterCore.formatVersion)) else {
            throw CoreError(.invalidEnvelope, "$.v: entry format version must be \(MusterCore.formatVersion)")
        }
        guard let type = json["type"]?.stringValue else { throw CoreError(.invalidEnvelope, "$.type is missing") }
        guard let version = json["typeVersion"]?.integerValue else {
            throw CoreError(.invalidEnvelope, "$.typeVersion must be an integer")
        }
        let catalogued = try EventCatalog.lookup(type: type, version: Int(version))
        try catalogued.entryValidator.validate(json, context: "\(type) v\(version)")
    }
}
