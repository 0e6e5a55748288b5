public import Crypto
import Foundation

/// A subject's data key: 256 random bits for AES-256-GCM. One per member or donor; destroying it
/// erases their personal data from every entry (crypto-shredding).
public struct SubjectKey: Sendable {
    /// The key.
    public let symmetricKey: SymmetricKey

    /// A fresh random key.
    public static func generate() -> SubjectKey { SubjectKey(symmetricKey: SecureRandom.key256()) }

    /// A key from its 32 raw bytes (as kept in a key store).
    public init(rawBytes: [UInt8]) throws(CoreError) {
        let key = SymmetricKey(data: rawBytes)
        guard key.bitCount == 256 else { throw CoreError(.sealing, "a subject key must be 32 bytes, found \(key.bitCount / 8)") }
        symmetricKey = key
    }

    init(symmetricKey: SymmetricKey) { self.symmetricKey = symmetricKey }

    /// The raw bytes, for a key store to persist (encrypted).
    public var rawBytes: [UInt8] { symmetricKey.withUnsafeBytes { Array($0) } }
}

/// What a key store knows of a subject.
public enum SubjectKeyLookup: Sendable {
    /// The subject's key.
    case active(SubjectKey)
    /// The key was destroyed by a `subject.erased` event: their personal data is gone for good.
    case erased
    /// This store has never held a key for the subject (it may live on another hub).
    case unknown
}

/// Where a hub keeps subjects' data keys: outside the log, encrypted at rest (the on-disk store
/// comes with the hub), shared between authorised hubs over their own channel.
public protocol SubjectKeyStore: Sendable {
    /// The subject's key, or why there is none.
    func lookup(_ subject: SubjectID) throws -> SubjectKeyLookup
    /// The subject's key, created when the store has none; throws for an erased subject, whose
    /// key must never come back.
    func keyForSealing(_ subject: SubjectID) throws -> SubjectKey
    /// Destroys the subject's key and remembers that it was erased.
    func destroy(_ subject: SubjectID) throws
    /// Every key held for the subject, the sealing key first. A subject has more than one when
    /// two hubs each made a key for them before they exchanged keys; entries sealed under any of
    /// them open here. Empty when the store holds none (or the subject was erased).
    func allKeys(_ subject: SubjectID) throws -> [SubjectKey]
}

extension CoreError {
    /// What sealing personal data for an erased subject meets, wherever it is refused.
    public static func erased(_ subject: SubjectID) -> CoreError {
        CoreError(.subjectKeyUnavailable, "subject \(subject) was erased; personal data cannot be recorded for them again")
    }
}

extension SubjectKeyStore {
    public func allKeys(_ subject: SubjectID) throws -> [SubjectKey] {
        if case .active(let key) = try lookup(subject) { return [key] }
        return []
    }

    /// Opens an entry's sealed payload with whichever of the subject's keys it was sealed under.
    public func reveal(_ sealed: SealedPayload, subject: SubjectID, origin: String, id: EventID) throws -> Revealed {
        let keys = try allKeys(subject)
        guard !keys.isEmpty else {
            if case .erased = try lookup(subject) { return .erased }
            return .unknown
        }
        for key in keys {
            if let fields = try? sealed.open(key: key, origin: origin, id: id) { return .fields(fields) }
        }
        return .unopenable(keys: keys.count)
    }
}

/// What a key store can tell of one sealed payload.
public enum Revealed: Sendable {
    /// The personal fields.
    case fields(JSONValue)
    /// The subject was erased: their key is gone for good.
    case erased
    /// The store holds no key for the subject (it may not have been exchanged yet).
    case unknown
    /// None of the subject's keys opens it: the payload was altered, or was sealed under a key
    /// this hub has not received yet.
    case unopenable(keys: Int)

    /// One line for a person.
    public var summary: String {
        switch self {
        case .fields: "personal fields (sealed):"
        case .erased: "personal fields: erased (the subject's key was destroyed)"
        case .unknown: "personal fields: this hub does not hold the subject's key (see `muster sync`: keys come from roster hubs)"
        case .unopenable(let n): "personal fields: none of the subject's \(n) key(s) here opens them (altered, or sealed under a key not received yet)"
        }
    }
}
