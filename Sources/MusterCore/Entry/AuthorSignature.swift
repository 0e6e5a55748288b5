import Foundation

/// An officer's own Ed25519 signature over an entry (a treasurer accepting a donation, say), beside
/// the hub's checkpoint signature: it shows that the holder of that key vouched for this entry,
/// not only that the hub logged it.
///
/// It signs the canonical bytes (RFC 8785) of the entry without its `authorSig` member. Since
/// `authorSig` sorts before every other envelope member, a signed entry's bytes are
/// `{"authorSig":{"sig":…,"vkey":…},` followed by the signed bytes without their opening `{`.
public struct AuthorSignature: Hashable, Sendable {
    /// The signer's verifier key, C2SP vkey form `name+keyid+base64`.
    public let vkey: String
    /// The 64-byte Ed25519 signature.
    public let signature: [UInt8]

    /// A signature from its parts.
    public init(vkey: String, signature: [UInt8]) throws(CoreError) {
        guard signature.count == 64 else { throw CoreError(.signature, "authorSig.sig must be 64 bytes, found \(signature.count)") }
        self.vkey = vkey
        self.signature = signature
    }

    /// The JSON form, `{"sig": base64, "vkey": …}`.
    public var json: JSONValue {
        .object(["vkey": .string(vkey), "sig": .string(Data(signature).base64EncodedString())])
    }

    init(json: JSONValue) throws(CoreError) {
        guard let vkey = json["vkey"]?.stringValue, let s = json["sig"]?.stringValue, let sig = StrictBase64.decode(s) else {
            throw CoreError(.invalidEnvelope, "authorSig must carry vkey and a canonical base64 sig")
        }
        try self.init(vkey: vkey, signature: sig)
    }

    /// The bytes every signed entry starts with.
    static let prefix = Array(#"{"authorSig":"#.utf8)

    /// Whether canonical entry bytes carry an author signature (a cheap test of their first bytes).
    public static func isSigned(_ entry: [UInt8]) -> Bool { entry.starts(with: prefix) }

    /// Signs an entry's canonical bytes (which carry no `authorSig`) with `signer`; returns the
    /// signature and the signed entry's canonical bytes.
    /// - Throws: ``CoreError`` when the key is not a plain Ed25519 key or the bytes are not an object.
    public static func sign(_ unsigned: [UInt8], with signer: NoteSigner) throws(CoreError) -> (AuthorSignature, [UInt8]) {
        try checkKey(signer)
        guard unsigned.first == UInt8(ascii: "{"), unsigned.count > 2, !isSigned(unsigned) else {
            throw CoreError(.invalidEnvelope, "only an unsigned entry object can be author-signed")
        }
        let bytes: [UInt8]
        do { bytes = try signer.signingKey.signature(for: unsigned) } catch {
            throw CoreError(.signature, "signing with author key '\(signer.name)' failed: \(error)")
        }
        let signature = try AuthorSignature(vkey: signer.verifier.vkey, signature: bytes)
        let member: [UInt8]
        do { member = try CanonicalJSON.encode(signature.json) } catch {
            throw CoreError(.invalidEnvelope, "authorSig does not encode: \(error)")
        }
        return (signature, prefix + member + [UInt8(ascii: ",")] + unsigned.dropFirst())
    }

    /// Checks that `signer` can author-sign: a plain Ed25519 key (not a cosignature key).
    public static func checkKey(_ signer: NoteSigner) throws(CoreError) {
        guard signer.type == .ed25519 else { throw CoreError(.signature, "author key '\(signer.name)' must be a plain Ed25519 key") }
    }

    /// What is wrong with the author signature of a canonical entry, or nil when it verifies (or
    /// the entry carries none). Checks that the vkey is a well-formed Ed25519 verifier key and
    /// that the signature verifies over the entry without `authorSig`.
    /// - Returns: the problem and, when the key parsed, the key.
    public static func check(_ entry: [UInt8]) -> (problem: String?, key: NoteVerifier?) {
        guard isSigned(entry) else { return (nil, nil) }
        guard case .object(var members)? = try? CanonicalJSON.parse(entry), let json = members.removeValue(forKey: "authorSig"),
              let signature = try? AuthorSignature(json: json) else {
            return ("authorSig is malformed", nil)
        }
        guard let key = try? NoteVerifier(vkey: signature.vkey), key.type == .ed25519 else {
            return ("authorSig.vkey '\(signature.vkey.prefix(80))' is not an Ed25519 verifier key", nil)
        }
        guard let unsigned = try? CanonicalJSON.encode(.object(members)),
              Ed25519.isValidSignature(signature.signature, for: unsigned, publicKey: key.publicKey) else {
            return ("authorSig does not verify with \(key.name)+\(key.keyIDHex)", key)
        }
        return (nil, key)
    }
}
