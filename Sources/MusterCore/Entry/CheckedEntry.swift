/// An entry's bytes after every check of ``Entry/decode(_:)`` — canonical JSON, valid against
/// the schema of its type and version — with members readable by name, without building an
/// ``Envelope``. What auditing and verification read entries through.
///
/// Most entries are checked on a ``JSONTape`` in one pass, without a `JSONValue` tree; an entry
/// the tape declines is checked by the parser and the tree validator, which also give the error.
public struct CheckedEntry: Sendable {
    /// The canonical bytes.
    public let bytes: [UInt8]
    /// The catalogue entry the entry was checked against.
    public let catalogued: EventCatalog.Entry
    private let reading: Reading

    /// The schema the entry was checked against (its type and version).
    public var schema: EventSchema { catalogued.schema }

    private enum Reading: Sendable {
        case tape(JSONTape)
        case tree(JSONValue)
    }

    /// Checks `bytes`; throws what ``Entry/decode(_:)`` throws.
    public init(_ bytes: [UInt8]) throws(CoreError) {
        self.bytes = bytes
        if let (tape, catalogued) = bytes.withUnsafeBufferPointer(Self.tapeCheck) {
            reading = .tape(tape)
            self.catalogued = catalogued
        } else {
            let json = try Entry.checkedJSON(bytes)
            reading = .tree(json)
            // The checks found the type version in the catalogue.
            catalogued = try EventCatalog.lookup(type: json["type"]?.stringValue ?? "", version: Int(json["typeVersion"]?.integerValue ?? 0))
        }
    }

    /// The tape, and the type version it was checked against, when the bytes are certainly a
    /// canonical, schema-valid entry; nil when the tree path must decide.
    static func tapeCheck(_ u: UnsafeBufferPointer<UInt8>) -> (JSONTape, EventCatalog.Entry)? {
        // Plain lookups, no closures: a closure over the tape would copy it (and retain its tokens).
        guard let tape = JSONTape(u),
              let v = tape.member("v", of: 0, in: u), tape.integer(v) == Int64(MusterCore.formatVersion),
              let typeToken = tape.member("type", of: 0, in: u), let type = tape.rawString(typeToken, in: u),
              let versionToken = tape.member("typeVersion", of: 0, in: u), let version = tape.integer(versionToken),
              let catalogued = EventCatalog.lookup(type: type, version: version),
              catalogued.entryValidator.accepts(tape, in: u)
        else { return nil }
        return (tape, catalogued)
    }

    /// The event or subject id at a member path, read straight from the bytes, or nil.
    public func idKey(_ a: StaticString, _ b: StaticString? = nil, _ c: StaticString? = nil) -> IDKey? {
        switch reading {
        case .tape(let tape):
            return bytes.withUnsafeBufferPointer { u in
                guard let at = Self.token(tape, a, b, c, u), let raw = tape.rawString(at, in: u) else { return nil }
                return IDKey(utf8: raw)
            }
        case .tree(let json):
            return Self.value(json, a, b, c)?.stringValue.flatMap(IDKey.init)
        }
    }

    /// Whether the string at a member path is `text`, compared without making a string.
    public func has(_ a: StaticString, equalTo text: String) -> Bool {
        switch reading {
        case .tape(let tape):
            var text = text
            return bytes.withUnsafeBufferPointer { u in
                guard let at = Self.token(tape, a, nil, nil, u), let raw = tape.rawString(at, in: u) else { return false }
                return text.withUTF8 { $0.elementsEqual(raw) }
            }
        case .tree(let json):
            return json[a.description]?.stringValue == text
        }
    }

    /// The string at a member path such as `("payload", "donation")`, or nil.
    public func string(_ a: StaticString, _ b: StaticString? = nil, _ c: StaticString? = nil) -> String? {
        switch reading {
        case .tape(let tape):
            return bytes.withUnsafeBufferPointer { u in
                guard let at = Self.token(tape, a, b, c, u) else { return nil }
                return tape.string(at, in: u)
            }
        case .tree(let json):
            return Self.value(json, a, b, c)?.stringValue
        }
    }

    /// The integer at a member path, or nil.
    public func integer(_ a: StaticString, _ b: StaticString? = nil, _ c: StaticString? = nil) -> Int64? {
        switch reading {
        case .tape(let tape):
            return bytes.withUnsafeBufferPointer { u in
                guard let at = Self.token(tape, a, b, c, u) else { return nil }
                return tape.integer(at)
            }
        case .tree(let json):
            return Self.value(json, a, b, c)?.integerValue
        }
    }

    /// Whether the checks ran on the tape (for tests of the two paths).
    var checkedOnTape: Bool {
        if case .tape = reading { return true }
        return false
    }

    private static func token(_ tape: JSONTape, _ a: StaticString, _ b: StaticString?, _ c: StaticString?,
                              _ u: UnsafeBufferPointer<UInt8>) -> Int? {
        guard var at = tape.member(a, of: 0, in: u) else { return nil }
        if let b { guard let next = tape.member(b, of: at, in: u) else { return nil }; at = next }
        if let c { guard let next = tape.member(c, of: at, in: u) else { return nil }; at = next }
        return at
    }

    private static func value(_ json: JSONValue, _ a: StaticString, _ b: StaticString?, _ c: StaticString?) -> JSONValue? {
        var at = json[a.description]
        if let b { at = at?[b.description] }
        if let c { at = at?[c.description] }
        return at
    }
}
