import Foundation

/// Proof that an origin signed two checkpoints that cannot both be true: a fork of its history.
///
/// Checkpoint `a` (size m) and checkpoint `b` (size n ≥ m) are both validly signed by the
/// origin's key. `rootAtA` is the root of `b`'s tree at size m, bound to `b` by `proof`, an RFC
/// 9162 consistency proof from m to n. When `rootAtA` differs from `a`'s root, `b`'s history
/// does not extend `a`'s: the origin equivocated. When m = n the proof is empty and `rootAtA` is
/// `b`'s root. Anyone holding the origin's verifier key can check it; nothing else is trusted.
///
/// As JSON (served at `GET /v1/evidence`, exported for auditors):
///
///     {"a":"<note>","b":"<note>","origin":"…","proof":["<base64>",…],"rootAtA":"<base64>"}
public struct EquivocationEvidence: Sendable, Hashable {
    /// The origin that forked.
    public let origin: String
    /// The smaller (or equal-sized) checkpoint, as a signed note.
    public let a: String
    /// The larger checkpoint, as a signed note.
    public let b: String
    /// The root of `b`'s tree at `a`'s size.
    public let rootAtA: MerkleHash
    /// Consistency proof from `a`'s size to `b`'s size in `b`'s tree.
    public let proof: [MerkleHash]

    /// Evidence from its parts; check it with ``verify(with:)``.
    public init(origin: String, a: String, b: String, rootAtA: MerkleHash, proof: [MerkleHash]) {
        self.origin = origin
        self.a = a
        self.b = b
        self.rootAtA = rootAtA
        self.proof = proof
    }

    /// Checks that the evidence proves a fork of `origin`, using only the origin's key.
    public func verify(with verifier: NoteVerifier) throws(SyncError) {
        guard verifier.name == origin else {
            throw SyncError(.evidence, "evidence is about '\(origin)' but the key is '\(verifier.name)'")
        }
        let first = try Self.open(a, verifier, "a"), second = try Self.open(b, verifier, "b")
        guard first.size <= second.size else { throw SyncError(.evidence, "evidence: checkpoint a is larger than b") }
        guard first.size > 0 else { throw SyncError(.evidence, "evidence: an empty tree cannot conflict") }
        guard rootAtA.bytes != first.rootHash else {
            throw SyncError(.evidence, "evidence: b's tree at size \(first.size) has a's root, so they are consistent")
        }
        let check = ConsistencyProof(oldSize: first.size, newSize: second.size, hashes: proof)
        guard let secondRoot = try? MerkleHash(bytes: second.rootHash),
              check.verify(oldRoot: rootAtA, newRoot: secondRoot).isValid else {
            throw SyncError(.evidence, "evidence: the consistency proof does not bind rootAtA to checkpoint b")
        }
    }

    private static func open(_ note: String, _ verifier: NoteVerifier, _ label: String) throws(SyncError) -> Checkpoint {
        let verification: SignedCheckpoint.Verification
        do { verification = try SignedCheckpoint.open(note, verifier: verifier) } catch {
            throw SyncError(.evidence, "evidence: checkpoint \(label) is malformed: \(error)")
        }
        guard case .verified(let signed) = verification else {
            throw SyncError(.evidence, "evidence: checkpoint \(label) is not signed by \(verifier.name)")
        }
        return signed.checkpoint
    }

    /// A stable identifier: hex SHA-256(0x00 ‖ a ‖ 0x00 ‖ b), the RFC 9162 leaf hash of the two notes.
    public var id: String {
        MerkleHash.leafHash(Array((a + "\u{0}" + b).utf8)).hex
    }

    /// The evidence as JSON.
    public var json: JSONValue {
        .object([
            "origin": .string(origin), "a": .string(a), "b": .string(b),
            "rootAtA": .string(NoteEncoding.base64(rootAtA.bytes)),
            "proof": .array(proof.map { .string(NoteEncoding.base64($0.bytes)) }),
        ])
    }

    /// Parses evidence from JSON (not yet verified).
    public init(json value: JSONValue) throws(SyncError) {
        guard let origin = value["origin"]?.stringValue, let a = value["a"]?.stringValue, let b = value["b"]?.stringValue,
              let rootText = value["rootAtA"]?.stringValue, let proofList = value["proof"]?.arrayValue else {
            throw SyncError(.malformed, "evidence needs origin, a, b, rootAtA and proof")
        }
        self.origin = origin
        self.a = a
        self.b = b
        self.rootAtA = try Self.hash(rootText)
        var hashes: [MerkleHash] = []
        for item in proofList {
            guard let text = item.stringValue else { throw SyncError(.malformed, "evidence proof hashes are base64 strings") }
            hashes.append(try Self.hash(text))
        }
        self.proof = hashes
    }

    static func hash(_ text: String) throws(SyncError) -> MerkleHash {
        guard let bytes = NoteEncoding.decodeBase64(text), let hash = try? MerkleHash(bytes: bytes) else {
            throw SyncError(.malformed, "'\(text.prefix(60))' is not a base64 SHA-256 hash")
        }
        return hash
    }
}
