/// Which hubs a movement has: for each, its name (a hub's origin), its verifier key, where it
/// serves sync, and its role. The roster is configuration signed by the movement's root key, so
/// no peer can add itself or swap a key.
///
/// On the wire and on disk a roster is a signed note (C2SP signed-note) whose text is the
/// roster's canonical JSON (RFC 8785) on one line, ending with a newline, signed by the root key:
///
///     {"format":"muster-roster/1","members":[{"name":"…","role":"hub","url":"http://…","vkey":"…"}],"movement":"…","version":3}
///
/// A hub pins the root's verifier key when it installs its first roster and later accepts only
/// rosters signed by that key with a higher version.
public struct Roster: Sendable, Hashable {
    /// The format tag in every roster.
    public static let format = "muster-roster/1"

    /// What a member may do.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        /// A regional hub: writes its own log (its name is its origin) and syncs every log.
        case hub
        /// An auditor: reads over the sync protocol, writes nothing.
        case auditor
        /// An officer (a treasurer, say): a person's key that author-signs entries it vouches
        /// for (``AuthorSignature``). It neither writes a log nor syncs.
        case officer

        /// The roles, for messages: "hub, auditor or officer".
        public static var listed: String {
            let names = allCases.map(\.rawValue)
            return names.dropLast().joined(separator: ", ") + " or " + names.last!
        }
    }

    /// One hub or auditor.
    public struct Member: Sendable, Hashable {
        /// The member's name: for a hub its origin; the verifier key carries the same name.
        public let name: String
        /// The member's Ed25519 verifier key (a hub's log key).
        public let verifier: NoteVerifier
        /// Where the member serves sync (`http://host:port`), if it serves.
        public let url: String?
        /// The member's role.
        public let role: Role

        /// A member; the key's name must be the member's name.
        public init(name: String, verifier: NoteVerifier, url: String?, role: Role) throws(SyncError) {
            guard verifier.name == name else {
                throw SyncError(.roster, "member '\(name)': its vkey is named '\(verifier.name)', not '\(name)'")
            }
            guard Origin.isValid(name) else {
                throw SyncError(.roster, "member '\(name)': a name is 1–255 printable ASCII characters without spaces or '+'")
            }
            guard verifier.type == .ed25519 else {
                throw SyncError(.roster, "member '\(name)': the key must be an Ed25519 (0x01) key")
            }
            if let url { try Self.checkURL(url, member: name) }
            self.name = name
            self.verifier = verifier
            self.url = url
            self.role = role
        }

        static func checkURL(_ url: String, member: String) throws(SyncError) {
            let lower = url.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), url.count > 8,
                  !url.contains(" "), !url.hasSuffix("/") else {
                throw SyncError(.roster, "member '\(member)': url '\(url)' must be http(s)://host[:port] without a trailing '/'")
            }
        }
    }

    /// The movement's name (its root key carries this name).
    public let movement: String
    /// Increases with every signed change.
    public let version: UInt64
    /// The members, by name.
    public let members: [Member]

    /// A roster; names must be unique.
    public init(movement: String, version: UInt64, members: [Member]) throws(SyncError) {
        guard Origin.isValid(movement) else {
            throw SyncError(.roster, "movement name '\(movement)' must be 1–255 printable ASCII characters without spaces or '+'")
        }
        var seen = Set<String>()
        for member in members where !seen.insert(member.name).inserted {
            throw SyncError(.roster, "member '\(member.name)' appears twice")
        }
        self.movement = movement
        self.version = version
        self.members = members.sorted { $0.name < $1.name }
    }

    /// The member named `name`.
    public func member(_ name: String) -> Member? { members.first { $0.name == name } }

    /// The hubs (members whose logs this movement replicates).
    public var hubs: [Member] { members.filter { $0.role == .hub } }

    /// The officers, whose keys may author-sign entries.
    public var officers: [Member] { members.filter { $0.role == .officer } }

    /// The member `name` when it may authenticate sync requests (a hub or an auditor, not an officer).
    public func syncPeer(_ name: String) -> Member? {
        member(name).flatMap { $0.role == .officer ? nil : $0 }
    }

    /// The roster with `member` added or replaced, at the same version (a version is chosen when
    /// the roster is signed).
    public func setting(_ member: Member) throws(SyncError) -> Roster {
        try Roster(movement: movement, version: version, members: members.filter { $0.name != member.name } + [member])
    }

    /// The roster as a JSON value.
    public var json: JSONValue {
        .object([
            "format": .string(Self.format),
            "movement": .string(movement),
            "version": .number(Double(version)),
            "members": .array(members.map { m in
                var o: [String: JSONValue] = ["name": .string(m.name), "vkey": .string(m.verifier.vkey), "role": .string(m.role.rawValue)]
                if let url = m.url { o["url"] = .string(url) }
                return .object(o)
            }),
        ])
    }

    /// The note text: canonical JSON and a newline.
    public var text: String {
        // A roster holds only strings and small integers, which always encode.
        String(decoding: (try? CanonicalJSON.encode(json)) ?? [], as: UTF8.self) + "\n"
    }

    /// Parses a roster from its JSON (canonical or not), checking every member.
    public init(json value: JSONValue) throws(SyncError) {
        guard value["format"]?.stringValue == Self.format else {
            throw SyncError(.roster, "not a roster: \"format\" must be \"\(Self.format)\"")
        }
        guard let movement = value["movement"]?.stringValue else { throw SyncError(.roster, "roster: \"movement\" is missing") }
        guard let version = value["version"]?.integerValue, version >= 1 else {
            throw SyncError(.roster, "roster: \"version\" must be an integer ≥ 1")
        }
        guard let list = value["members"]?.arrayValue else { throw SyncError(.roster, "roster: \"members\" must be an array") }
        var members: [Member] = []
        for (i, item) in list.enumerated() {
            guard let name = item["name"]?.stringValue, let vkey = item["vkey"]?.stringValue,
                  let roleText = item["role"]?.stringValue else {
                throw SyncError(.roster, "roster member \(i): needs \"name\", \"vkey\" and \"role\"")
            }
            guard let role = Role(rawValue: roleText) else {
                throw SyncError(.roster, "roster member '\(name)': role '\(roleText)' is not \(Role.listed)")
            }
            let verifier: NoteVerifier
            do { verifier = try NoteVerifier(vkey: vkey) } catch {
                throw SyncError(.roster, "roster member '\(name)': \(error)")
            }
            members.append(try Member(name: name, verifier: verifier, url: item["url"]?.stringValue, role: role))
        }
        try self.init(movement: movement, version: UInt64(version), members: members)
    }

    /// Parses a roster from JSON bytes.
    public init(jsonBytes: [UInt8]) throws(SyncError) {
        let value: JSONValue
        do { value = try CanonicalJSON.parse(jsonBytes) } catch {
            throw SyncError(.roster, "roster is not valid JSON: \(error)")
        }
        try self.init(json: value)
    }

    /// Signs the roster with the movement's root key (named after the movement).
    public func sign(with root: NoteSigner) throws(SyncError) -> String {
        guard root.name == movement else {
            throw SyncError(.roster, "the root key is named '\(root.name)', but the roster is for movement '\(movement)'")
        }
        do { return try SignedNote.sign(text, with: [root]).formatted } catch {
            throw SyncError(.roster, "cannot sign the roster: \(error)")
        }
    }

    /// The same roster at another version.
    public func at(version: UInt64) throws(SyncError) -> Roster {
        try Roster(movement: movement, version: version, members: members)
    }

    /// Opens a signed roster: parses it and checks the root key's signature.
    public static func open(_ note: String, root: NoteVerifier) throws(SyncError) -> Roster {
        let signed: SignedNote
        do { signed = try SignedNote(parsing: note) } catch {
            throw SyncError(.roster, "the roster is not a signed note: \(error)")
        }
        guard signed.verify(against: [root]).isVerified else {
            throw SyncError(.roster, "the roster is not signed by the movement's root key \(root.vkey)")
        }
        let roster = try Roster(jsonBytes: Array(signed.text.utf8))
        guard roster.movement == root.name else {
            throw SyncError(.roster, "the roster is for movement '\(roster.movement)', but the root key is '\(root.name)'")
        }
        guard roster.text == signed.text else {
            throw SyncError(.roster, "the roster's signed text is not its canonical JSON")
        }
        return roster
    }
}
