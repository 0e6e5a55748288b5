public import Crypto
import Foundation

/// A subject's data key: 256 random bits for AES-256-GCM. One per member or donor; destroying it
/// erases their personal data from every entry (crypto-shredding).
public struct SubjectKey: Sendable {
    /// The key.
    public let symmetricKey: SymmetricKey

    /// A fresh random key.
    public static func generate() -> SubjectKey { SubjectKey(symmetricKey: SymmetricKey(size: .bits256)) }

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
}
