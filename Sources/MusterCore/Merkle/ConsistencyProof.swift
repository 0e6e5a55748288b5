/// An RFC 9162 consistency proof: that a tree of ``newSize`` leaves extends one of ``oldSize``.
///
/// The hashes are in RFC 9162 order (§2.1.4.1 SUBPROOF), without the old root when ``oldSize`` is
/// a power of two.
///
/// Decision: ``oldSize`` == 0 never verifies (``MerkleProofVerification/Reason/emptyOldTree``),
/// as in transparency-dev/merkle, because RFC 9162 §2.1.4.2 defines the check only for
/// `0 < size1`; a caller that accepts any tree after an empty one (as C2SP tlog-witness does for
/// `old 0`) must decide that itself. ``oldSize`` == ``newSize`` verifies only with an empty proof
/// and equal roots.
public struct ConsistencyProof: Sendable, Hashable {
    /// The size of the earlier tree.
    public var oldSize: UInt64
    /// The size of the later tree.
    public var newSize: UInt64
    /// The proof's hashes, in RFC 9162 order.
    public var hashes: [MerkleHash]

    /// Creates a proof from its parts; nothing is checked until ``verify(oldRoot:newRoot:)``.
    public init(oldSize: UInt64, newSize: UInt64, hashes: [MerkleHash]) {
        self.oldSize = oldSize
        self.newSize = newSize
        self.hashes = hashes
    }

    /// Checks the proof by the algorithm of RFC 9162 §2.1.4.2.
    /// - Parameters:
    ///   - oldRoot: The root hash of the tree of ``oldSize`` leaves.
    ///   - newRoot: The root hash of the tree of ``newSize`` leaves.
    /// - Returns: ``MerkleProofVerification/valid`` or why it is not.
    public func verify(oldRoot: MerkleHash, newRoot: MerkleHash) -> MerkleProofVerification {
        guard oldSize > 0 else { return .invalid(.emptyOldTree) }
        guard oldSize <= newSize else { return .invalid(.oldTreeLargerThanNewTree) }
        if oldSize == newSize {
            guard hashes.isEmpty else { return .invalid(.nonEmptyProofForEqualSizes) }
            return oldRoot == newRoot ? .valid : .invalid(.newRootMismatch)
        }
        guard !hashes.isEmpty else { return .invalid(.proofTooShort) }

        var fn = oldSize - 1
        var sn = newSize - 1
        var rest = hashes[...]
        let seed: MerkleHash
        if oldSize & (oldSize - 1) == 0 {
            seed = oldRoot
        } else {
            seed = rest.removeFirst()
        }
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = seed
        var sr = seed
        for c in rest {
            guard sn != 0 else { return .invalid(.proofTooLong) }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHash.nodeHash(c, fr)
                sr = MerkleHash.nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = MerkleHash.nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { return .invalid(.proofTooShort) }
        guard fr == oldRoot else { return .invalid(.oldRootMismatch) }
        guard sr == newRoot else { return .invalid(.newRootMismatch) }
        return .valid
    }
}
