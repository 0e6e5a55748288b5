import Foundation

/// The envelope of a log entry: every fact DESIGN.md fixes about an event, around its payload.
///
/// The canonical JSON (RFC 8785) of ``json`` is the entry; ARCHITECTURE.md gives the byte layout.
public struct Envelope: Hashable, Sendable {
    /// The log this entry belongs to (the writing hub's origin).
    public var origin: String
    /// Position in the origin's log, from 1; the Merkle leaf index is `seq − 1`.
    public var seq: UInt64
    /// The event id (UUIDv7), unique across the movement.
    public var id: EventID
    /// The event type, e.g. `member.joined`.
    public var type: String
    /// The event type's schema version.
    public var typeVersion: Int
    /// When the hub recorded it.
    public var recordedAt: Timestamp
    /// Hybrid logical clock stamp, for last-writer-wins across hubs.
    public var hlc: HLCStamp
    /// Who recorded it (an operator id of the hub).
    public var operatorID: String
    /// The member or donor it is about, if any.
    public var subject: SubjectID?
    /// The clear payload (a JSON object).
    public var payload: JSONValue
    /// The personal fields, sealed, if any.
    public var sealed: SealedPayload?
    /// An operator's own signature over the rest of the entry, if any.
    public var authorSignature: AuthorSignature?

    /// An envelope from its parts.
    public init(origin: String, seq: UInt64, id: EventID, type: String, typeVersion: Int, recordedAt: Timestamp,
                hlc: HLCStamp, operatorID: String, subject: SubjectID?, payload: JSONValue,
                sealed: SealedPayload? = nil, authorSignature: AuthorSignature? = nil) {
        self.origin = origin; self.seq = seq; self.id = id; self.type = type; self.typeVersion = typeVersion
        self.recordedAt = recordedAt; self.hlc = hlc; self.operatorID = operatorID; self.subject = subject
        self.payload = payload; self.sealed = sealed; self.authorSignature = authorSignature
    }

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
    /// the parsed tree (same values, same errors): members are read in place and only the payload
    /// becomes a `JSONValue`. For entries already checked, on the tape or in the store.
    init(tape: JSONTape, in u: UnsafeBufferPointer<UInt8>) throws(CoreError) {
        func token(_ key: StaticString, of object: Int? = 0) -> Int? {
            object.flatMap { tape.member(key, of: $0, in: u) }
        }
        func string(_ key: StaticString) throws(CoreError) -> String {
            guard let at = token(key), let s = tape.string(at, in: u) else { throw CoreError(.invalidEnvelope, "$.\(key) is missing") }
            return s
        }
        func integer(_ at: Int?, _ key: String) throws(CoreError) -> Int64 {
            guard let at, let n = tape.integer(at) else { throw CoreError(.invalidEnvelope, "$.\(key) must be an integer") }
            return n
        }
        origin = try string("origin")
        seq = UInt64(try integer(token("seq"), "seq"))
        id = try EventID(string("id"))
        type = try string("type")
        typeVersion = Int(try integer(token("typeVersion"), "typeVersion"))
        recordedAt = try Timestamp(string("recordedAt"))
        let clock = token("hlc")
        hlc = HLCStamp(wallMillis: try integer(token("wall", of: clock), "hlc.wall"),
                       counter: try integer(token("count", of: clock), "hlc.count"))
        operatorID = try string("operator")
        subject = try token("subject").flatMap { tape.string($0, in: u) }.map { (s) throws(CoreError) in try SubjectID(s) }
        payload = token("payload").map { tape.value($0, in: u) } ?? .object([:])
        sealed = try token("sealed").map { (at) throws(CoreError) in try SealedPayload(tape: tape, at: at, in: u) }
        authorSignature = try token("authorSig").map { (at) throws(CoreError) in try AuthorSignature(json: tape.value(at, in: u)) }
    }

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
        origin = try string("origin")
        seq = UInt64(try integer(json["seq"], "seq"))
        id = try EventID(string("id"))
        type = try string("type")
        typeVersion = Int(try integer(json["typeVersion"], "typeVersion"))
        recordedAt = try Timestamp(string("recordedAt"))
        hlc = HLCStamp(wallMillis: try integer(json["hlc"]?["wall"], "hlc.wall"),
                       counter: try integer(json["hlc"]?["count"], "hlc.count"))
        operatorID = try string("operator")
        subject = try json["subject"]?.stringValue.map { (s) throws(CoreError) in try SubjectID(s) }
        payload = json["payload"] ?? .object([:])
        sealed = try json["sealed"].map { (s) throws(CoreError) in try SealedPayload(json: s) }
        authorSignature = try json["authorSig"].map { (s) throws(CoreError) in try AuthorSignature(json: s) }
    }
}
