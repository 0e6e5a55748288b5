import Crypto
import Foundation

/// The sealed payload of an entry: the canonical JSON of its personal fields, encrypted with
/// AES-256-GCM under the subject's key. The associated data binds it to one entry:
/// `UTF-8(origin) || 0x0A || UTF-8(event id)`, so a ciphertext moved to another entry fails to open.
///
/// Read from an entry, it keeps where its base64 lies in the entry's bytes (checked when read) and
/// decodes it when asked: a replay reads a million entries and opens none of them.
public struct SealedPayload: Hashable, Sendable {
    private enum Form: Sendable {
        case decoded(nonce: [UInt8], ciphertext: [UInt8])
        /// Checked canonical standard base64 of a 12-byte nonce and of at least 16 bytes, in `bytes`.
        case encoded(bytes: [UInt8], nonce: Range<Int>, ciphertext: Range<Int>)
    }

    private let form: Form

    /// The 12-byte GCM nonce (random per entry).
    public var nonce: [UInt8] {
        switch form {
        case .decoded(let nonce, _): nonce
        case .encoded(let bytes, let nonce, _): Self.decode(bytes, nonce)
        }
    }

    /// Ciphertext followed by the 16-byte tag.
    public var ciphertext: [UInt8] {
        switch form {
        case .decoded(_, let ciphertext): ciphertext
        case .encoded(let bytes, _, let ciphertext): Self.decode(bytes, ciphertext)
        }
    }

    /// The algorithm name written in entries.
    public static let algorithm = algorithmName.description
    /// The same, as static bytes: compared in place with an entry's `alg`.
    private static let algorithmName: StaticString = "A256GCM"

    /// A sealed payload from its parts.
    public init(nonce: [UInt8], ciphertext: [UInt8]) throws(CoreError) {
        try Self.check(nonceCount: nonce.count, ciphertextCount: ciphertext.count)
        form = .decoded(nonce: nonce, ciphertext: ciphertext)
    }

    private static func check(nonceCount: Int, ciphertextCount: Int) throws(CoreError) {
        guard nonceCount == 12 else { throw CoreError(.sealing, "sealed.nonce must be 12 bytes, found \(nonceCount)") }
        guard ciphertextCount >= 16 else { throw CoreError(.sealing, "sealed.ct is shorter than the 16-byte tag") }
    }

    /// The checks both readings (the tape's, the JSON's) share, in order: the algorithm, the
    /// base64 (a nil count: not canonical standard base64), then the lengths.
    private static func check(algorithmMatches: Bool, nonceCount: Int?, ciphertextCount: Int?) throws(CoreError) {
        guard algorithmMatches else { throw CoreError(.invalidEnvelope, "sealed.alg must be \"\(SealedPayload.algorithm)\"") }
        guard let nonceCount else { throw CoreError(.invalidEnvelope, "sealed.nonce must be canonical standard base64") }
        guard let ciphertextCount else { throw CoreError(.invalidEnvelope, "sealed.ct must be canonical standard base64") }
        try check(nonceCount: nonceCount, ciphertextCount: ciphertextCount)
    }

    private static func decode(_ bytes: [UInt8], _ range: Range<Int>) -> [UInt8] {
        guard let decoded = bytes.withUnsafeBufferPointer({ StrictBase64.decode(UnsafeBufferPointer(rebasing: $0[range])) }) else {
            preconditionFailure("sealed payload base64 was checked when it was read")
        }
        return decoded
    }

    public static func == (a: SealedPayload, b: SealedPayload) -> Bool {
        a.nonce == b.nonce && a.ciphertext == b.ciphertext
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(nonce)
        hasher.combine(ciphertext)
    }

    /// The associated data that binds a sealed payload to its entry.
    public static func associatedData(origin: String, id: EventID) -> [UInt8] {
        Array(origin.utf8) + [0x0A] + Array(id.text.utf8)
    }

    /// Seals personal fields (a JSON object) for the entry `id` of `origin`.
    public static func seal(_ personal: JSONValue, key: SubjectKey, origin: String, id: EventID) throws -> SealedPayload {
        try seal(canonical: CanonicalJSON.encode(personal), key: key, origin: origin, id: id)
    }

    /// Seals personal fields already in their canonical encoding.
    static func seal(canonical plaintext: [UInt8], key: SubjectKey, origin: String, id: EventID) throws -> SealedPayload {
        let box = try AES.GCM.seal(plaintext, using: key.symmetricKey, nonce: SecureRandom.gcmNonce(),
                                   authenticating: associatedData(origin: origin, id: id))
        // nonce ‖ ciphertext ‖ tag, split once.
        let combined = box.combined!  // present: the nonce is the standard 12 bytes
        return try SealedPayload(nonce: Array(combined.prefix(12)), ciphertext: Array(combined.dropFirst(12)))
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
        let (nonce, ciphertext): (String, String) = switch form {
        case .decoded(let nonce, let ciphertext): (Data(nonce).base64EncodedString(), Data(ciphertext).base64EncodedString())
        case .encoded(let bytes, let nonce, let ciphertext):
            (String(decoding: bytes[nonce], as: UTF8.self), String(decoding: bytes[ciphertext], as: UTF8.self))
        }
        return .object(["alg": .string(SealedPayload.algorithm), "nonce": .string(nonce), "ct": .string(ciphertext)])
    }

    /// Appends the canonical encoding of ``json``: the members' names are ASCII and in order, and
    /// base64 needs no escapes, so it is written as it stands (the entry template's tests hold it
    /// to the general writer's encoding of ``json``).
    func appendCanonical(to buffer: inout [UInt8]) {
        CanonicalJSONWriter.appendASCII(#"{"alg":"A256GCM","ct":""#, to: &buffer)
        switch form {
        case .decoded(let nonce, let ciphertext):
            buffer.append(contentsOf: Data(ciphertext).base64EncodedData())
            CanonicalJSONWriter.appendASCII(#"","nonce":""#, to: &buffer)
            buffer.append(contentsOf: Data(nonce).base64EncodedData())
        case .encoded(let bytes, let nonce, let ciphertext):
            buffer.append(contentsOf: bytes[ciphertext])
            CanonicalJSONWriter.appendASCII(#"","nonce":""#, to: &buffer)
            buffer.append(contentsOf: bytes[nonce])
        }
        CanonicalJSONWriter.appendASCII(#""}"#, to: &buffer)
    }

    /// Reads the `sealed` object at `object` on the tape of an entry's `bytes` (`u` is their
    /// memory), as ``init(json:)`` reads it: the base64 is checked now, and decoded when asked for.
    init(tape: JSONTape, at object: Int, bytes: [UInt8], in u: UnsafeBufferPointer<UInt8>) throws(CoreError) {
        // The three members, found in one pass (``tapeMembers``' order).
        var found = (-1, -1, -1)
        withUnsafeMutableBytes(of: &found) { tape.members(Self.tapeMembers, of: object, in: u, into: $0.bindMemory(to: Int.self)) }
        func raw(_ at: Int) -> UnsafeBufferPointer<UInt8>? { at < 0 ? nil : tape.rawString(at, in: u) }
        let nonce = raw(found.2), ciphertext = raw(found.1)
        try Self.check(algorithmMatches: raw(found.0).map { alg in
            alg.count == Self.algorithmName.utf8CodeUnitCount && memcmp(alg.baseAddress!, Self.algorithmName.utf8Start, alg.count) == 0
        } ?? false,
                       nonceCount: nonce.flatMap(StrictBase64.decodedCount), ciphertextCount: ciphertext.flatMap(StrictBase64.decodedCount))
        // Both parts are there: the check above refuses a missing one.
        func range(_ part: UnsafeBufferPointer<UInt8>?) -> Range<Int> {
            let start = part!.baseAddress.map { $0 - u.baseAddress! } ?? 0
            return start..<(start + part!.count)
        }
        form = .encoded(bytes: bytes, nonce: range(nonce), ciphertext: range(ciphertext))
    }

    /// The members ``init(tape:at:bytes:in:)`` reads, in ascending order.
    private static let tapeMembers: [StaticString] = ["alg", "ct", "nonce"]

    /// Reads the JSON form.
    public init(json: JSONValue) throws(CoreError) {
        let nonce = json["nonce"]?.stringValue.flatMap(StrictBase64.decode)
        let ciphertext = json["ct"]?.stringValue.flatMap(StrictBase64.decode)
        try Self.check(algorithmMatches: json["alg"]?.stringValue == SealedPayload.algorithm,
                       nonceCount: nonce?.count, ciphertextCount: ciphertext?.count)
        form = .decoded(nonce: nonce!, ciphertext: ciphertext!)   // checked above: neither is nil
    }
}
