/// An entry's bytes after every check of ``Entry/decode(_:)`` — canonical JSON, valid against
/// the schema of its type and version — with members readable by name, without building an
/// ``Envelope``. What auditing and verification read entries through.
///
/// Most entries are checked on a ``JSONTape`` in one pass, without a `JSONValue` tree; an entry
/// the tape declines is checked by the parser and the tree validator, which also give the error.
public struct CheckedEntry: Sendable {
    /// The canonical bytes.
    public let bytes: [UInt8]
    /// The catalogue entry the entry was checked against: unretained, as every catalogue entry
    /// lives as long as the process, so that entries checked on every core at once do not
    /// contend for its reference count.
    private let entry: Unmanaged<EventCatalog.Entry>
    private let reading: Reading

    /// The catalogue entry the entry was checked against.
    public var catalogued: EventCatalog.Entry { entry.takeUnretainedValue() }
    /// The schema the entry was checked against (its type and version).
    public var schema: EventSchema { catalogued.schema }
    /// What the entry's type means to the checks that span entries.
    public var role: EventCatalog.Role { entry._withUnsafeGuaranteedRef { $0.role } }

    private enum Reading: Sendable {
        case tape(JSONTape)
        case tree(JSONValue)
    }

    /// Checks `bytes`; throws what ``Entry/decode(_:)`` throws.
    public init(_ bytes: [UInt8]) throws(CoreError) {
        self.bytes = bytes
        if let (tape, catalogued) = bytes.withUnsafeBufferPointer(Self.tapeCheck) {
            reading = .tape(tape)
            entry = catalogued
        } else {
            let json = try Entry.checkedJSON(bytes)
            reading = .tree(json)
            // The checks found the type version in the catalogue (which keeps it).
            entry = .passUnretained(try EventCatalog.lookup(type: json["type"]?.stringValue ?? "",
                                                            version: Int(json["typeVersion"]?.integerValue ?? 0)))
        }
    }

    /// The tape, and the type version it was checked against, when the bytes are certainly a
    /// canonical, schema-valid entry; nil when the tree path must decide.
    static func tapeCheck(_ u: UnsafeBufferPointer<UInt8>) -> (JSONTape, Unmanaged<EventCatalog.Entry>)? {
        // Plain lookups; the one closure (the validator's, on the unretained catalogue entry) borrows the tape.
        guard let tape = JSONTape(u),
              let v = tape.member("v", of: 0, in: u), tape.integer(v, in: u) == Int64(MusterCore.formatVersion),
              let typeToken = tape.member("type", of: 0, in: u), let type = tape.rawString(typeToken, in: u),
              let versionToken = tape.member("typeVersion", of: 0, in: u), let version = tape.integer(versionToken, in: u),
              let catalogued = EventCatalog.lookup(type: type, version: version),
              catalogued._withUnsafeGuaranteedRef({ $0.entryValidator.accepts(tape, in: u) })
        else { return nil }
        return (tape, catalogued)
    }

    /// Reads members within `body` through one ``Reader``: the tape and the bytes are borrowed
    /// once for every read, not once per read (an audit reads a dozen members of each entry).
    public func read<R>(_ body: (Reader) -> R) -> R {
        switch reading {
        case .tape(let tape):
            return bytes.withUnsafeBufferPointer { u in
                tape.tokens.withUnsafeBufferPointer { tokens in body(Reader(source: .tape(tokens, u))) }
            }
        case .tree(let json):
            return body(Reader(source: .tree(json)))
        }
    }

    /// The string at a member path such as `("payload", "donation")`, or nil.
    public func string(_ a: StaticString, _ b: StaticString? = nil, _ c: StaticString? = nil) -> String? {
        read { $0.string(a, b, c) }
    }

    /// The integer at a member path, or nil.
    public func integer(_ a: StaticString, _ b: StaticString? = nil, _ c: StaticString? = nil) -> Int64? {
        read { $0.integer(a, b, c) }
    }

    /// Members of a checked entry, read by path; valid only inside ``read(_:)``, which lends it
    /// the entry's tokens and bytes.
    public struct Reader {
        fileprivate enum Source {
            case tape(UnsafeBufferPointer<JSONTape.Token>, UnsafeBufferPointer<UInt8>)
            case tree(JSONValue)
        }

        fileprivate let source: Source

        /// The event or subject id at a member path, read straight from the bytes, or nil.
        public func idKey(_ a: StaticString, _ b: StaticString? = nil, _ c: StaticString? = nil) -> IDKey? {
            switch source {
            case .tape(let tokens, let u):
                guard let at = JSONTape.path(tokens, a, b, c, u), let raw = JSONTape.rawString(tokens, at, u) else { return nil }
                return IDKey(utf8: raw)
            case .tree(let json):
                return Self.value(json, a, b, c)?.stringValue.flatMap(IDKey.init)
            }
        }

        /// Whether the string at a member path is `text`, compared without making a string.
        public func has(_ a: StaticString, equalTo text: String) -> Bool {
            switch source {
            case .tape(let tokens, let u):
                guard let at = JSONTape.path(tokens, a, nil, nil, u), let raw = JSONTape.rawString(tokens, at, u) else { return false }
                // Borrowed, not copied: a copy would count a reference to a string every core reads.
                return text.utf8.withContiguousStorageIfAvailable { $0.elementsEqual(raw) } ?? text.utf8.elementsEqual(raw)
            case .tree(let json):
                return json[a.description]?.stringValue == text
            }
        }

        /// The string at a member path such as `("payload", "donation")`, or nil.
        public func string(_ a: StaticString, _ b: StaticString? = nil, _ c: StaticString? = nil) -> String? {
            switch source {
            case .tape(let tokens, let u):
                return JSONTape.path(tokens, a, b, c, u).flatMap { JSONTape.string(tokens, $0, u) }
            case .tree(let json):
                return Self.value(json, a, b, c)?.stringValue
            }
        }

        /// The integer at a member path, or nil.
        public func integer(_ a: StaticString, _ b: StaticString? = nil, _ c: StaticString? = nil) -> Int64? {
            switch source {
            case .tape(let tokens, let u):
                return JSONTape.path(tokens, a, b, c, u).flatMap { JSONTape.integer(tokens, $0, u) }
            case .tree(let json):
                return Self.value(json, a, b, c)?.integerValue
            }
        }

        private static func value(_ json: JSONValue, _ a: StaticString, _ b: StaticString?, _ c: StaticString?) -> JSONValue? {
            var at = json[a.description]
            if let b { at = at?[b.description] }
            if let c { at = at?[c.description] }
            return at
        }
    }

    /// Whether the checks ran on the tape (for tests of the two paths).
    var checkedOnTape: Bool {
        if case .tape = reading { return true }
        return false
    }
}
