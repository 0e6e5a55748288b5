import Crypto
import Foundation

/// The sealed payload of an entry: the canonical JSON of its personal fields, encrypted with
/// AES-256-GCM under the subject's key. The associated data binds it to one entry:
/// `UTF-8(origin) || 0x0A || UTF-8(event id)`, so a ciphertext moved to another entry fails to open.
public struct SealedPayload: Hashable, Sendable {
    /// The 12-byte GCM nonce (random per entry).
    public let nonce: [UInt8]
    /// Ciphertext followed by the 16-byte tag.
    public let ciphertext: [UInt8]

    /// The algorithm name written in entries.
    public static let algorithm = "A256GCM"

    /// A sealed payload from its parts.
    public init(nonce: [UInt8], ciphertext: [UInt8]) throws(CoreError) {
        guard nonce.count == 12 else { throw CoreError(.sealing, "sealed.nonce must be 12 bytes, found \(nonce.count)") }
        guard ciphertext.count >= 16 else { throw CoreError(.sealing, "sealed.ct is shorter than the 16-byte tag") }
        self.nonce = nonce
        self.ciphertext = ciphertext
    }

    /// The associated data that binds a sealed payload to its entry.
    public static func associatedData(origin: String, id: EventID) -> [UInt8] {
        Array(origin.utf8) + [0x0A] + Array(id.text.utf8)
    }

    /// Seals personal fields (a JSON object) for the entry `id` of `origin`.
    public static func seal(_ personal: JSONValue, key: SubjectKey, origin: String, id: EventID) throws -> SealedPayload {
        let plaintext = try CanonicalJSON.encode(personal)
        let box = try AES.GCM.seal(plaintext, using: key.symmetricKey, nonce: SecureRandom.gcmNonce(),
                                   authenticating: associatedData(origin: origin, id: id))
        return try SealedPayload(nonce: Array(box.nonce), ciphertext: Array(box.ciphertext) + Array(box.tag))
    }

    /// Opens the payload; throws when the key is wrong or the payload was moved or altered.
    public func open(key: SubjectKey, origin: String, id: EventID) throws(CoreError) -> JSONValue {
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext.dropLast(16), tag: ciphertext.suffix(16))
            let plaintext = try AES.GCM.open(box, using: key.symmetricKey,
                                             authenticating: SealedPayload.associatedData(origin: origin, id: id))
            return try CanonicalJSON.parseCanonical(Array(plaintext))
        } catch {
            throw CoreError(.sealing, "sealed payload of \(origin) entry \(id) does not open with the subject's key (wrong key, or altered)")
        }
    }

    /// The JSON form written in entries: `{"alg":"A256GCM","ct":…,"nonce":…}` (standard base64).
    public var json: JSONValue {
        .object([
            "alg": .string(SealedPayload.algorithm),
            "nonce": .string(Data(nonce).base64EncodedString()),
            "ct": .string(Data(ciphertext).base64EncodedString()),
        ])
    }

    /// Reads the `sealed` object at `object` on an entry's tape, as ``init(json:)`` reads it.
    init(tape: JSONTape, at object: Int, in u: UnsafeBufferPointer<UInt8>) throws(CoreError) {
        func raw(_ key: StaticString) -> UnsafeBufferPointer<UInt8>? {
            tape.member(key, of: object, in: u).flatMap { tape.rawString($0, in: u) }
        }
        var algorithm = SealedPayload.algorithm
        try self.init(algorithmMatches: raw("alg").map { alg in algorithm.withUTF8 { $0.elementsEqual(alg) } } ?? false,
                      nonce: raw("nonce").flatMap(StrictBase64.decode), ciphertext: raw("ct").flatMap(StrictBase64.decode))
    }

    /// Reads the JSON form.
    public init(json: JSONValue) throws(CoreError) {
        try self.init(algorithmMatches: json["alg"]?.stringValue == SealedPayload.algorithm,
                      nonce: json["nonce"]?.stringValue.flatMap(StrictBase64.decode),
                      ciphertext: json["ct"]?.stringValue.flatMap(StrictBase64.decode))
    }

    /// The checks both readings share; `nonce` and `ciphertext` are nil where they were not
    /// canonical standard base64.
    private init(algorithmMatches: Bool, nonce: [UInt8]?, ciphertext: [UInt8]?) throws(CoreError) {
        guard algorithmMatches else { throw CoreError(.invalidEnvelope, "sealed.alg must be \"\(SealedPayload.algorithm)\"") }
        guard let nonce else { throw CoreError(.invalidEnvelope, "sealed.nonce must be canonical standard base64") }
        guard let ciphertext else { throw CoreError(.invalidEnvelope, "sealed.ct must be canonical standard base64") }
        try self.init(nonce: nonce, ciphertext: ciphertext)
    }
}
