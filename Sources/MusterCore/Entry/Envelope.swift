import Foundation

/// The envelope of a log entry: every fact DESIGN.md fixes about an event, around its payload.
///
/// The canonical JSON (RFC 8785) of ``json`` is the entry; ARCHITECTURE.md gives the byte layout.
public struct Envelope: Hashable, Sendable {
    /// The members, held once behind a reference: an envelope is copied at every step from the
    /// store to the read models, and a copy then costs one retain, not one per string and array.
    private struct Fields: Hashable, Sendable {
        var origin: String
        var seq: UInt64
        var id: EventID
        var type: String
        var typeVersion: Int
        var recordedAt: Timestamp
        var hlc: HLCStamp
        var operatorID: String
        var subject: SubjectID?
        var payload: PayloadView
        var sealed: SealedPayload?
        var authorSignature: AuthorSignature?
    }

    /// Immutable: a setter makes a new one.
    private final class Storage: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var storage: Storage

    private mutating func update(_ change: (inout Fields) -> Void) {
        var fields = storage.fields
        change(&fields)
        storage = Storage(fields)
    }

    /// The log this entry belongs to (the writing hub's origin).
    public var origin: String {
        get { storage.fields.origin }
        set { update { $0.origin = newValue } }
    }
    /// Position in the origin's log, from 1; the Merkle leaf index is `seq − 1`.
    public var seq: UInt64 {
        get { storage.fields.seq }
        set { update { $0.seq = newValue } }
    }
    /// The event id (UUIDv7), unique across the movement.
    public var id: EventID {
        get { storage.fields.id }
        set { update { $0.id = newValue } }
    }
    /// The event type, e.g. `member.joined`.
    public var type: String {
        get { storage.fields.type }
        set { update { $0.type = newValue } }
    }
    /// The event type's schema version.
    public var typeVersion: Int {
        get { storage.fields.typeVersion }
        set { update { $0.typeVersion = newValue } }
    }
    /// When the hub recorded it.
    public var recordedAt: Timestamp {
        get { storage.fields.recordedAt }
        set { update { $0.recordedAt = newValue } }
    }
    /// Hybrid logical clock stamp, for last-writer-wins across hubs.
    public var hlc: HLCStamp {
        get { storage.fields.hlc }
        set { update { $0.hlc = newValue } }
    }
    /// Who recorded it (an operator id of the hub).
    public var operatorID: String {
        get { storage.fields.operatorID }
        set { update { $0.operatorID = newValue } }
    }
    /// The member or donor it is about, if any.
    public var subject: SubjectID? {
        get { storage.fields.subject }
        set { update { $0.subject = newValue } }
    }
    /// The clear payload (a JSON object). An envelope read off a tape makes the value anew at
    /// each read: read members through ``payloadView`` where that is all a caller needs.
    public var payload: JSONValue {
        get { storage.fields.payload.value }
        set { update { $0.payload = PayloadView(newValue) } }
    }
    /// The clear payload, read in place where the envelope came off a tape.
    public var payloadView: PayloadView { storage.fields.payload }
    /// The personal fields, sealed, if any.
    public var sealed: SealedPayload? {
        get { storage.fields.sealed }
        set { update { $0.sealed = newValue } }
    }
    /// An operator's own signature over the rest of the entry, if any.
    public var authorSignature: AuthorSignature? {
        get { storage.fields.authorSignature }
        set { update { $0.authorSignature = newValue } }
    }

    /// An envelope from its parts.
    public init(origin: String, seq: UInt64, id: EventID, type: String, typeVersion: Int, recordedAt: Timestamp,
                hlc: HLCStamp, operatorID: String, subject: SubjectID?, payload: JSONValue,
                sealed: SealedPayload? = nil, authorSignature: AuthorSignature? = nil) {
        self.init(origin: origin, seq: seq, id: id, type: type, typeVersion: typeVersion, recordedAt: recordedAt, hlc: hlc,
                  operatorID: operatorID, subject: subject, payload: PayloadView(payload), sealed: sealed,
                  authorSignature: authorSignature)
    }

    private init(origin: String, seq: UInt64, id: EventID, type: String, typeVersion: Int, recordedAt: Timestamp,
                 hlc: HLCStamp, operatorID: String, subject: SubjectID?, payload: PayloadView, sealed: SealedPayload?,
                 authorSignature: AuthorSignature?) {
        storage = Storage(Fields(origin: origin, seq: seq, id: id, type: type, typeVersion: typeVersion, recordedAt: recordedAt,
                                 hlc: hlc, operatorID: operatorID, subject: subject, payload: payload, sealed: sealed,
                                 authorSignature: authorSignature))
    }

    public static func == (a: Envelope, b: Envelope) -> Bool { a.storage === b.storage || a.storage.fields == b.storage.fields }
    public func hash(into hasher: inout Hasher) { hasher.combine(storage.fields) }

    /// The JSON object whose canonical bytes are the entry.
    public var json: JSONValue {
        var m: [String: JSONValue] = [
            "v": .number(Double(MusterCore.formatVersion)),
            "origin": .string(origin),
            "seq": .number(Double(seq)),
            "id": .string(id.text),
            "type": .string(type),
            "typeVersion": .number(Double(typeVersion)),
            "recordedAt": .string(recordedAt.description),
            "hlc": .object(["wall": .number(Double(hlc.wallMillis)), "count": .number(Double(hlc.counter))]),
            "operator": .string(operatorID),
            "payload": payload,
        ]
        if let subject { m["subject"] = .string(subject.text) }
        if let sealed { m["sealed"] = sealed.json }
        if let authorSignature { m["authorSig"] = authorSignature.json }
        return .object(m)
    }

    /// Reads an envelope from a tape of an entry's bytes, as ``init(validated:)`` reads it from
    /// the parsed tree (same values, same errors): members are read in place, and the payload
    /// stays in `bytes`, read through the tape (``PayloadView``). For entries already checked, on
    /// the tape or in the store.
    init(tape: JSONTape, bytes: [UInt8], in u: UnsafeBufferPointer<UInt8>, texts: inout RecurringTexts) throws(CoreError) {
        // The envelope's members, found in one pass over the entry's object (in `rootMembers`' order).
        var found = (-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)
        withUnsafeMutableBytes(of: &found) { tape.members(Self.rootMembers, of: 0, in: u, into: $0.bindMemory(to: Int.self)) }
        let (authorSig, hlc, id, op, origin, payload, recordedAt, sealed, seq, subject, type, typeVersion) = found
        func token(_ at: Int) -> Int? { at >= 0 ? at : nil }
        func string(_ at: Int, _ key: StaticString) throws(CoreError) -> String {
            guard let at = token(at), let s = tape.string(at, in: u) else { throw CoreError(.invalidEnvelope, "$.\(key) is missing") }
            return s
        }
        /// A text that recurs from entry to entry (``RecurringTexts``).
        func recurring(_ at: Int, _ key: StaticString) throws(CoreError) -> String {
            if let at = token(at), let raw = tape.rawString(at, in: u) { return texts.text(raw) }
            return try string(at, key)
        }
        func integer(_ at: Int?, _ key: String) throws(CoreError) -> Int64 {
            guard let at, let n = tape.integer(at, in: u) else { throw CoreError(.invalidEnvelope, "$.\(key) must be an integer") }
            return n
        }
        // The clock's two members, in one pass too (`count` sorts before `wall`).
        var stamp = (-1, -1)
        if hlc >= 0 { withUnsafeMutableBytes(of: &stamp) { tape.members(Self.clockMembers, of: hlc, in: u, into: $0.bindMemory(to: Int.self)) } }
        // Parsed in place; the text is made only to say what is wrong with it.
        let at: Timestamp
        if let t = token(recordedAt), let raw = tape.rawString(t, in: u), let parsed = Timestamp.parse(raw) {
            at = parsed
        } else {
            at = try Timestamp(string(recordedAt, "recordedAt"))
        }
        self.init(
            origin: try recurring(origin, "origin"),
            seq: UInt64(try integer(token(seq), "seq")),
            id: try EventID(string(id, "id")),
            type: try recurring(type, "type"),
            typeVersion: Int(try integer(token(typeVersion), "typeVersion")),
            recordedAt: at,
            hlc: HLCStamp(wallMillis: try integer(token(stamp.1), "hlc.wall"), counter: try integer(token(stamp.0), "hlc.count")),
            operatorID: try recurring(op, "operator"),
            subject: try token(subject).flatMap { tape.string($0, in: u) }.map { (s) throws(CoreError) in try SubjectID(s) },
            payload: token(payload).map { PayloadView(bytes: bytes, tape: tape, at: $0) } ?? PayloadView(.object([:])),
            sealed: try token(sealed).map { (at) throws(CoreError) in try SealedPayload(tape: tape, at: at, bytes: bytes, in: u) },
            authorSignature: try token(authorSig).map { (at) throws(CoreError) in try AuthorSignature(json: tape.value(at, in: u)) })
    }

    /// The members ``init(tape:bytes:in:texts:)`` reads, in ascending order (`v` is checked by the
    /// store's schema checks, not read).
    private static let rootMembers: [StaticString] = [
        "authorSig", "hlc", "id", "operator", "origin", "payload", "recordedAt", "sealed", "seq", "subject", "type", "typeVersion",
    ]

    private static let clockMembers: [StaticString] = ["count", "wall"]

    /// Reads an envelope from an entry's JSON, which must already be valid against its schema.
    init(validated json: JSONValue) throws(CoreError) {
        func string(_ key: String) throws(CoreError) -> String {
            guard let s = json[key]?.stringValue else { throw CoreError(.invalidEnvelope, "$.\(key) is missing") }
            return s
        }
        func integer(_ value: JSONValue?, _ key: String) throws(CoreError) -> Int64 {
            guard let n = value?.integerValue else { throw CoreError(.invalidEnvelope, "$.\(key) must be an integer") }
            return n
        }
        self.init(
            origin: try string("origin"),
            seq: UInt64(try integer(json["seq"], "seq")),
            id: try EventID(string("id")),
            type: try string("type"),
            typeVersion: Int(try integer(json["typeVersion"], "typeVersion")),
            recordedAt: try Timestamp(string("recordedAt")),
            hlc: HLCStamp(wallMillis: try integer(json["hlc"]?["wall"], "hlc.wall"),
                          counter: try integer(json["hlc"]?["count"], "hlc.count")),
            operatorID: try string("operator"),
            subject: try json["subject"]?.stringValue.map { (s) throws(CoreError) in try SubjectID(s) },
            payload: json["payload"] ?? .object([:]),
            sealed: try json["sealed"].map { (s) throws(CoreError) in try SealedPayload(json: s) },
            authorSignature: try json["authorSig"].map { (s) throws(CoreError) in try AuthorSignature(json: s) })
    }
}
