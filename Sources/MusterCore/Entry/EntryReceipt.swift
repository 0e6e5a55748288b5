/// An offline receipt for one entry: a C2SP `tlog-proof` whose `extra` carries the entry's exact
/// canonical bytes, so a donor or auditor can check it with nothing but the hub's vkey.
public struct EntryReceipt: Sendable, Hashable {
    /// The tlog-proof.
    public let proof: TlogProof

    /// Why a receipt does not check out.
    public enum Verification: Sendable, Hashable {
        /// The entry is in the log the checkpoint commits to, and the checkpoint is signed by the key.
        case valid(Entry)
        /// It is not; the reason says which check failed.
        case invalid(String)
    }

    /// Builds a receipt from an entry, its inclusion proof and a signed checkpoint that covers it.
    public init(entry: Entry, inclusion: InclusionProof, checkpoint: SignedCheckpoint) throws {
        proof = try TlogProof(index: inclusion.leafIndex, inclusionProof: inclusion.hashes.map(\.bytes),
                              checkpoint: checkpoint, extra: entry.bytes)
    }

    /// Parses a receipt's text.
    public init(parsing text: String) throws {
        proof = try TlogProof(parsing: text)
    }

    /// The receipt's text.
    public var formatted: String { proof.formatted }

    /// Checks the receipt against the hub's verifier key.
    /// - Parameter entryBytes: the entry, when the receipt does not carry it in `extra`.
    public func verify(with verifier: NoteVerifier, entryBytes: [UInt8]? = nil) -> Verification {
        guard case .verified = proof.verifyCheckpoint(with: verifier) else {
            return .invalid("the checkpoint is not signed by \(verifier.vkey) (or its origin is not the key's name)")
        }
        guard let bytes = entryBytes ?? proof.extra else { return .invalid("the receipt carries no entry; pass the entry's bytes") }
        let entry: Entry
        do { entry = try Entry.decode(bytes) } catch { return .invalid("the entry is not valid: \(error)") }
        let checkpoint = proof.checkpoint.checkpoint
        guard entry.envelope.origin == checkpoint.origin else {
            return .invalid("the entry belongs to \(entry.envelope.origin), the checkpoint to \(checkpoint.origin)")
        }
        guard entry.envelope.seq == proof.index + 1 else {
            return .invalid("the entry says seq \(entry.envelope.seq) but the proof is for index \(proof.index) (seq \(proof.index + 1))")
        }
        guard let root = try? MerkleHash(bytes: checkpoint.rootHash),
              let hashes = try? proof.inclusionProof.map({ try MerkleHash(bytes: $0) }) else {
            return .invalid("the checkpoint root or a proof hash is not 32 bytes")
        }
        let inclusion = InclusionProof(leafIndex: proof.index, treeSize: checkpoint.size, hashes: hashes)
        guard inclusion.verify(leafHash: entry.leafHash, rootHash: root).isValid else {
            return .invalid("the inclusion proof does not lead from the entry to the checkpoint's root")
        }
        return .valid(entry)
    }
}
