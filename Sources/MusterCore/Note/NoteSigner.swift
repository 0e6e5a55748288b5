import Foundation

/// A note signing key: a name and an Ed25519 seed, written as a signer key string
/// `PRIVATE+KEY+<name>+<hex key id>+<base64(type || seed)>`.
///
/// The seed is private. ``description`` shows only the name and key id; only ``skey`` reveals
/// the secret, for writing it to a key store.
public struct NoteSigner: Sendable, CustomStringConvertible, CustomReflectable {
    /// The key name, written on every signature line.
    public let name: String
    /// The key id, derived from the name, type and public key.
    public let keyID: UInt32
    /// The signature type this key produces.
    public let type: NoteKeyType
    /// The 32-byte Ed25519 public key.
    public let publicKey: [UInt8]
    let seed: [UInt8]  // internal: the signing paths of this module only
    /// The key derived from the seed, once (internal, as the seed is).
    let signingKey: Ed25519.SigningKey

    private static let prefix = "PRIVATE+KEY+"

    /// Creates a signer from a name and a 32-byte Ed25519 seed.
    /// - Throws: ``NoteError`` if the name is invalid or the seed is not 32 bytes.
    public init(name: String, seed: [UInt8], type: NoteKeyType = .ed25519) throws(NoteError) {
        guard NoteEncoding.isValidKeyName(name) else {
            throw NoteError(.invalidKeyName, "key name '\(name)' is empty or has spaces, '+' or controls")
        }
        guard seed.count == Ed25519.keyByteCount else {
            throw NoteError(.malformedSignerKey, "signer '\(name)': an Ed25519 seed is 32 bytes, not \(seed.count)")
        }
        self.name = name
        self.type = type
        self.seed = seed
        signingKey = try Ed25519.SigningKey(seed: seed)
        self.publicKey = signingKey.publicKey
        self.keyID = NoteEncoding.keyID(name: name, type: type.rawValue, publicKey: publicKey)
    }

    /// Parses a `PRIVATE+KEY+<name>+<hex key id>+<base64(type || seed)>` string, checking that the
    /// key id matches the name and the key derived from the seed.
    /// - Throws: ``NoteError/Code/malformedSignerKey``; the reason never contains the seed.
    public init(skey: String) throws(NoteError) {
        guard skey.hasPrefix(Self.prefix) else {
            throw NoteError(.malformedSignerKey, "signer key does not start with 'PRIVATE+KEY+'")
        }
        let parts = skey.dropFirst(Self.prefix.count).split(
            separator: "+",
            maxSplits: 2,
            omittingEmptySubsequences: false
        )
        guard parts.count == 3 else {
            throw NoteError(.malformedSignerKey, "signer key lacks a name, key id or key after 'PRIVATE+KEY+'")
        }
        guard NoteEncoding.isValidKeyName(parts[0]) else {
            // Parts of a malformed private key are never echoed: they might be key material.
            throw NoteError(.malformedSignerKey, "signer key: the name (part 3) is empty or has spaces or controls")
        }
        guard let keyID = NoteEncoding.parseHex(parts[1]) else {
            throw NoteError(.malformedSignerKey, "signer key: the key id (part 4) is not 8 lowercase hex digits")
        }
        guard let key = NoteEncoding.decodeBase64(parts[2]), key.count == 1 + Ed25519.keyByteCount,
            let type = NoteKeyType(rawValue: key[0])
        else {
            throw NoteError(
                .malformedSignerKey,
                "signer key: the key (part 5) is not base64 of a supported type byte and a 32-byte seed"
            )
        }
        try self.init(name: String(parts[0]), seed: Array(key[1...]), type: type)
        guard self.keyID == keyID else {
            throw NoteError(.malformedSignerKey, "signer key '\(parts[0])': key id \(parts[1]) does not match the key")
        }
    }

    /// Generates a signer with a fresh random seed.
    public static func generate(name: String, type: NoteKeyType = .ed25519) throws(NoteError) -> NoteSigner {
        try NoteSigner(name: name, seed: Ed25519.generateSeed(), type: type)
    }

    /// The secret signer key string. Store it like any private key.
    public var skey: String {
        Self.prefix + name + "+" + NoteEncoding.hex(keyID) + "+" + NoteEncoding.base64([type.rawValue] + seed)
    }

    /// The matching verifier key.
    public var verifier: NoteVerifier {
        // The name and key were validated when this signer was made, so this cannot fail.
        (try? NoteVerifier(name: name, publicKey: publicKey, type: type))!
    }

    /// The name and key id only: never the seed.
    public var description: String { "NoteSigner(\(name)+\(NoteEncoding.hex(keyID)))" }

    /// Reflection (`dump`, debuggers) shows the public parts only, never the seed.
    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "keyID": NoteEncoding.hex(keyID), "type": type])
    }

    /// Signs note text with an Ed25519 (0x01) key; a cosignature/v1 key cosigns at the current time.
    /// - Parameter text: Note text: non-empty, ending in a newline, no control characters but newline.
    /// - Throws: ``NoteError/Code/invalidNoteText`` for text that cannot be a note.
    public func sign(_ text: String) throws(NoteError) -> NoteSignature {
        switch type {
        case .ed25519:
            try SignedNote.checkText(text)
            let signature = try signingKey.signature(for: Array(text.utf8))
            return try NoteSignature(name: name, keyID: keyID, bytes: signature)
        case .cosignatureV1:
            return try sign(text, timestamp: UInt64(max(0, Date().timeIntervalSince1970)))
        }
    }

    /// Cosigns checkpoint text with a cosignature/v1 (0x04) key at the given POSIX time.
    /// - Throws: ``NoteError/Code/keyMismatch`` if this is not a cosignature key or the timestamp
    ///   exceeds 2^63 − 1; ``NoteError/Code/invalidNoteText`` for text that cannot be a note.
    public func sign(_ text: String, timestamp: UInt64) throws(NoteError) -> NoteSignature {
        guard type == .cosignatureV1 else {
            throw NoteError(
                .keyMismatch,
                "signer '\(name)' is a plain Ed25519 key; only cosignature keys take a timestamp"
            )
        }
        guard timestamp <= UInt64(Int64.max) else {
            throw NoteError(.keyMismatch, "cosignature timestamp \(timestamp) exceeds 2^63 - 1")
        }
        try SignedNote.checkText(text)
        let message = Cosignature.signedMessage(text: text, timestamp: timestamp)
        let signature = try signingKey.signature(for: message)
        return try NoteSignature(name: name, keyID: keyID, bytes: NoteEncoding.bytes(timestamp) + signature)
    }
}
