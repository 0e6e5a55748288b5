/// A note verifier key: a name, a key id and an Ed25519 public key, written as a C2SP `vkey`
/// string `<name>+<hex key id>+<base64(type || public key)>`.
///
/// The key id is derived, never chosen: SHA-256(name || 0x0A || type || public key)[:4]. Parsing
/// a `vkey` whose key id does not match its name and key is an error.
public struct NoteVerifier: Sendable, Hashable, CustomStringConvertible {
    /// The key name; signature lines by this key carry it.
    public let name: String
    /// The key id, derived from the name, type and public key.
    public let keyID: UInt32
    /// The 32-byte Ed25519 public key.
    public let publicKey: [UInt8]
    /// The signature type (plain note signature or witness cosignature).
    public let type: NoteKeyType

    /// Creates a verifier from a name and a raw public key, computing its key id.
    /// - Throws: ``NoteError`` if the name is invalid or the key is not 32 bytes.
    public init(name: String, publicKey: [UInt8], type: NoteKeyType = .ed25519) throws(NoteError) {
        guard NoteEncoding.isValidKeyName(name) else {
            throw NoteError(.invalidKeyName, "key name '\(name)' is empty or has spaces, '+' or controls")
        }
        guard publicKey.count == Ed25519.keyByteCount else {
            throw NoteError(.malformedVerifierKey, "an Ed25519 public key is 32 bytes, not \(publicKey.count)")
        }
        self.name = name
        self.publicKey = publicKey
        self.type = type
        self.keyID = NoteEncoding.keyID(name: name, type: type.rawValue, publicKey: publicKey)
    }

    /// Parses a `vkey` string, checking the name, the type byte, the key length and the key id.
    /// - Throws: ``NoteError/Code/malformedVerifierKey`` naming the part that is wrong.
    public init(vkey: String) throws(NoteError) {
        let parts = vkey.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw NoteError(.malformedVerifierKey, "vkey for '\(parts[0])' does not have three '+'-separated parts")
        }
        guard NoteEncoding.isValidKeyName(parts[0]) else {
            throw NoteError(.malformedVerifierKey, "vkey name '\(parts[0])' is empty or has spaces or controls")
        }
        guard let keyID = NoteEncoding.parseHex(parts[1]) else {
            throw NoteError(
                .malformedVerifierKey,
                "vkey '\(parts[0])': key id '\(parts[1])' is not 8 lowercase hex digits"
            )
        }
        guard let key = NoteEncoding.decodeBase64(parts[2]), let typeByte = key.first else {
            throw NoteError(.malformedVerifierKey, "vkey '\(parts[0])': key is not canonical base64")
        }
        guard let type = NoteKeyType(rawValue: typeByte) else {
            throw NoteError(
                .malformedVerifierKey,
                "vkey '\(parts[0])': unsupported signature type 0x\(String(typeByte, radix: 16))"
            )
        }
        guard key.count == 1 + Ed25519.keyByteCount else {
            throw NoteError(.malformedVerifierKey, "vkey '\(parts[0])': Ed25519 key is \(key.count - 1) bytes, not 32")
        }
        try self.init(name: String(parts[0]), publicKey: Array(key[1...]), type: type)
        guard self.keyID == keyID else {
            throw NoteError(
                .malformedVerifierKey,
                "vkey '\(parts[0])': key id \(parts[1]) does not match the key (expected \(keyIDHex))"
            )
        }
    }

    /// The `vkey` string: `<name>+<hex key id>+<base64(type || public key)>`.
    public var vkey: String {
        name + "+" + keyIDHex + "+" + NoteEncoding.base64([type.rawValue] + publicKey)
    }

    /// The key id as eight lowercase hex digits.
    public var keyIDHex: String { NoteEncoding.hex(keyID) }

    /// The `vkey` string.
    public var description: String { vkey }

    /// The same name and public key as a verifier of another signature type (for example, a
    /// witness's Ed25519 key published as type 0x01 used to check its cosignatures); the key id
    /// is recomputed for the new type.
    public func withType(_ type: NoteKeyType) -> NoteVerifier {
        // The name and key were already validated, so this cannot fail.
        (try? NoteVerifier(name: name, publicKey: publicKey, type: type)) ?? self
    }

    /// Whether a signature line is this key's (same name and key id) and verifies over `text`.
    ///
    /// For ``NoteKeyType/cosignatureV1``, the signed message is the `cosignature/v1` header, the
    /// signature's `time` line and then `text`; a timestamp above 2^63 − 1 does not verify.
    /// - Parameters:
    ///   - signature: One signature from a note.
    ///   - text: The note text (the checkpoint body, for a cosignature), with its final newline.
    public func isValidSignature(_ signature: NoteSignature, for text: String) -> Bool {
        guard signature.name.utf8.elementsEqual(name.utf8), signature.keyID == keyID,
            signature.bytes.count == type.signatureByteCount
        else { return false }
        switch type {
        case .ed25519:
            return Ed25519.isValidSignature(signature.bytes, for: Array(text.utf8), publicKey: publicKey)
        case .cosignatureV1:
            guard let cosignature = try? Cosignature(signature) else { return false }
            let message = Cosignature.signedMessage(text: text, timestamp: cosignature.timestamp)
            return Ed25519.isValidSignature(cosignature.signature, for: message, publicKey: publicKey)
        }
    }
}
