/// Which keys may author-sign entries, for an audit: the officers of the roster. Without a
/// roster no key is known, and a signature is checked only against the key it names.
public struct AuthorTrust: Sendable, Hashable {
    /// The officers' keys, or nil when there is no roster to take them from.
    public let officers: Set<NoteVerifier>?

    /// Trust in the officers of `roster` (none known without a roster).
    public init(roster: Roster?) {
        officers = roster.map { Set($0.officers.map(\.verifier)) }
    }

    /// Trust in exactly `officers` (nil: no roster).
    public init(officers: Set<NoteVerifier>?) { self.officers = officers }

    /// Whether `key` is an officer's: true or false, or nil when there is no roster to say.
    public func isOfficer(_ key: NoteVerifier) -> Bool? { officers.map { $0.contains(key) } }

    /// What is wrong with an entry whose author signature verified with `key`, or nil.
    public func problem(_ key: NoteVerifier) -> String? {
        isOfficer(key) == false ? "authorSig is by \(key.name)+\(key.keyIDHex), which is not an officer on the roster" : nil
    }
}
