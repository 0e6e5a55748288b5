/// The pull of one origin's log from one peer, as a pure state machine: it decides what to ask
/// for next and what each answer means; the hub at the edge does the I/O and the durable commit.
///
/// The peer advertised `target`, a checkpoint whose signature the caller has checked against the
/// roster. This hub holds `held` entries of the origin, and `anchor`, its latest stored checkpoint
/// (verified when it was stored). The pull fetches entries `[held, target.size)` in batches; the
/// store accepts a batch only if the root it recomputes over all it holds plus the batch is
/// proven, by the consistency proof that comes with the batch, to be a prefix of `target`.
///
/// A batch that does not verify means one of two things. Either the peer altered or lost
/// entries (then `target` is consistent with `anchor`), or the origin signed a history that does
/// not extend the one we hold. The machine asks the peer for the consistency proof from the
/// anchor to `target` with the root it claims at the anchor's size: a valid proof to a
/// different root is ``EquivocationEvidence``; a valid proof to the anchor's root convicts the
/// peer of tampering; an invalid proof convicts the peer of being faulty.
public struct OriginPull: Sendable {
    /// What the edge should do next.
    public enum Step: Sendable, Hashable {
        /// Fetch entries with leaf indexes `start..<end` and a consistency proof from `end` to the
        /// target, then offer them to the store.
        case fetchEntries(start: UInt64, end: UInt64)
        /// The target is within what this hub holds: compare it with the local tree.
        case checkLocal(size: UInt64)
        /// Fetch the peer's consistency proof from `from` to the target, with its root at `from`.
        case fetchConsistency(from: UInt64)
        /// Done: this hub holds `held` entries, proven to be a prefix of the target.
        case finished(held: UInt64)
        /// The origin forked; keep the evidence and freeze the origin.
        case forked(EquivocationEvidence)
        /// The peer misbehaved; nothing more is taken from it for this origin in this round.
        case peerFaulty(String)
    }

    /// A checkpoint this hub stored earlier.
    public struct Anchor: Sendable, Hashable {
        /// The signed note.
        public let note: String
        /// Its size.
        public let size: UInt64
        /// Its root.
        public let root: MerkleHash
        /// An anchor.
        public init(note: String, size: UInt64, root: MerkleHash) {
            self.note = note
            self.size = size
            self.root = root
        }
    }

    /// The origin.
    public let origin: String
    /// The peer's checkpoint, signature already checked.
    public let target: SignedCheckpoint
    /// Entries per batch.
    public let batchSize: UInt64
    /// Entries this hub holds.
    public private(set) var held: UInt64
    let anchor: Anchor?
    let targetRoot: MerkleHash
    /// The size of the stored checkpoint the pull started from, if any.
    public var anchorSize: UInt64? { anchor?.size }

    /// A pull toward `target`.
    public init(target: SignedCheckpoint, held: UInt64, anchor: Anchor?, batchSize: UInt64 = 8192) throws(SyncError) {
        guard let root = try? MerkleHash(bytes: target.checkpoint.rootHash) else {
            throw SyncError(.malformed, "checkpoint of \(target.checkpoint.origin) has no SHA-256 root")
        }
        origin = target.checkpoint.origin
        self.target = target
        self.held = held
        self.anchor = anchor
        self.batchSize = max(1, batchSize)
        targetRoot = root
    }

    /// The first step.
    public func start() -> Step {
        target.checkpoint.size <= held ? .checkLocal(size: target.checkpoint.size) : nextBatch()
    }

    private func nextBatch() -> Step {
        let size = target.checkpoint.size
        guard held < size else { return .finished(held: held) }
        return .fetchEntries(start: held, end: min(size, held + batchSize))
    }

    /// The store accepted a batch: it now holds `size` entries.
    public mutating func committed(size: UInt64) -> Step {
        guard size > held else { return .peerFaulty("the peer's batch added nothing at \(held)") }
        held = size
        return nextBatch()
    }

    /// The store refused a batch because the recomputed root is not a prefix of the target.
    public func batchDidNotVerify(_ reason: String) -> Step {
        guard let anchor, anchor.size > 0, anchor.size < target.checkpoint.size else {
            return .peerFaulty("entries from \(held + 1) do not verify against the checkpoint of size \(target.checkpoint.size): \(reason)")
        }
        return .fetchConsistency(from: anchor.size)
    }

    /// The peer's consistency proof from the anchor to the target, with the root it claims at the anchor's size.
    public func consistencyArrived(oldRoot: MerkleHash, proof: [MerkleHash]) -> Step {
        guard let anchor else { return .peerFaulty("a consistency proof arrived that was not asked for") }
        let check = ConsistencyProof(oldSize: anchor.size, newSize: target.checkpoint.size, hashes: proof)
        guard check.verify(oldRoot: oldRoot, newRoot: targetRoot).isValid else {
            return .peerFaulty("entries did not verify, and the peer's consistency proof from \(anchor.size) to \(target.checkpoint.size) is invalid")
        }
        if oldRoot == anchor.root {
            return .peerFaulty("the peer sent entries that are not the ones its checkpoint of size \(target.checkpoint.size) commits to (tampered or corrupt)")
        }
        return .forked(EquivocationEvidence(origin: origin, a: anchor.note, b: target.formatted, rootAtA: oldRoot, proof: proof))
    }

    /// The result of comparing a target within what this hub holds with the local tree.
    public enum LocalComparison: Sendable, Hashable {
        /// The local tree has the target's root at its size.
        case matches
        /// The local tree's root at the target's size differs; `evidence` proves the fork from
        /// a stored checkpoint of ours, or nil when no stored checkpoint covers that size yet.
        case differs(EquivocationEvidence?)
    }

    /// What the local comparison means.
    public func localChecked(_ comparison: LocalComparison) -> Step {
        switch comparison {
        case .matches: return .finished(held: held)
        case .differs(let evidence?): return .forked(evidence)
        case .differs(nil):
            return .peerFaulty("the checkpoint of size \(target.checkpoint.size) does not match the entries this hub holds")
        }
    }
}

/// Checks that a tree this hub computed (held entries plus a new batch) is a prefix of a signed
/// target: equal roots when the sizes are equal, else a valid consistency proof from it to the target.
public enum BatchCheck {
    /// Nil when the tree of `size` with `root` is proven a prefix of `target`; else why not.
    public static func failure(size: UInt64, root: MerkleHash, target: Checkpoint, proof: [MerkleHash]) -> String? {
        guard let targetRoot = try? MerkleHash(bytes: target.rootHash) else { return "the checkpoint has no SHA-256 root" }
        guard size <= target.size else { return "the batch runs past the checkpoint's size \(target.size)" }
        if size == target.size {
            return root == targetRoot ? nil : "the root over \(size) entries is not the checkpoint's root"
        }
        let check = ConsistencyProof(oldSize: size, newSize: target.size, hashes: proof).verify(oldRoot: root, newRoot: targetRoot)
        return check.isValid ? nil : "the root over \(size) entries is not proven a prefix of the checkpoint of size \(target.size) (\(check))"
    }
}
