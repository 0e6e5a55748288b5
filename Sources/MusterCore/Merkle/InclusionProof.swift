/// An RFC 9162 inclusion proof (audit path): that a leaf is at an index of a tree of a size.
///
/// The hashes are in RFC 9162 order, from the leaf's sibling up to the child of the root. Each is
/// a ``MerkleHash``, so a proof read from the wire with a hash of the wrong length is rejected when
/// it is parsed (``MerkleHash/init(bytes:)-(UnsafeRawBufferPointer)`` throws).
public struct InclusionProof: Sendable, Hashable {
    /// The 0-based index of the leaf.
    public var leafIndex: UInt64
    /// The size of the tree the proof is for.
    public var treeSize: UInt64
    /// The audit path, bottom-up.
    public var hashes: [MerkleHash]

    /// Creates a proof from its parts; nothing is checked until ``verify(leafHash:rootHash:)``.
    public init(leafIndex: UInt64, treeSize: UInt64, hashes: [MerkleHash]) {
        self.leafIndex = leafIndex
        self.treeSize = treeSize
        self.hashes = hashes
    }

    /// Checks the proof by the algorithm of RFC 9162 §2.1.3.2.
    /// - Parameters:
    ///   - leafHash: The leaf hash (``MerkleHash/leafHash(_:)``) of the entry claimed at ``leafIndex``.
    ///   - rootHash: The root hash of the tree of ``treeSize`` leaves, e.g. from a checkpoint.
    /// - Returns: ``MerkleProofVerification/valid`` or why it is not.
    public func verify(leafHash: MerkleHash, rootHash: MerkleHash) -> MerkleProofVerification {
        switch computeRoot(leafHash: leafHash) {
        case .failure(let reason):
            return .invalid(reason)
        case .success(let computed):
            return computed == rootHash ? .valid : .invalid(.rootMismatch)
        }
    }

    /// The root the proof implies for `leafHash`, or why the proof's shape is wrong.
    public func computeRoot(leafHash: MerkleHash) -> Result<MerkleHash, MerkleProofVerification.Reason> {
        guard leafIndex < treeSize else { return .failure(.leafIndexOutOfRange) }
        var fn = leafIndex
        var sn = treeSize - 1
        var r = leafHash
        for p in hashes {
            guard sn != 0 else { return .failure(.proofTooLong) }
            if fn & 1 == 1 || fn == sn {
                r = MerkleHash.nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = MerkleHash.nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { return .failure(.proofTooShort) }
        return .success(r)
    }
}
