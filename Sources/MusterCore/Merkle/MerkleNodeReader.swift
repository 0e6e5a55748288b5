/// A source of complete-subtree hashes of one Merkle tree, such as a store's persisted tiles.
///
/// Given such a reader, ``root(treeSize:)``, ``inclusionProof(leafIndex:treeSize:)`` and
/// ``consistencyProof(from:to:)`` need O(log n) node reads: every range they need is split into
/// complete, aligned subtrees, and the hashes along the tree's right edge (which are not complete
/// subtrees) are computed on the fly.
public protocol MerkleNodeReader {
    /// The hash of the complete subtree at `level` covering the leaves
    /// `[index · 2^level, (index + 1) · 2^level)`; level 0 holds the leaf hashes.
    /// - Throws: ``MerkleError/Code/missingNode`` (or the store's own error) when the subtree is
    ///   not complete or not stored.
    func node(level: Int, index: UInt64) throws -> MerkleHash
}

extension MerkleNodeReader {
    /// The RFC 9162 root hash (MTH) of the first `treeSize` leaves.
    public func root(treeSize: UInt64) throws -> MerkleHash {
        treeSize == 0 ? MerkleHash.emptyTreeRoot : try rangeHash(start: 0, count: treeSize)
    }

    /// The RFC 9162 §2.1.3.1 inclusion proof for the leaf at `leafIndex` in the tree of `treeSize` leaves.
    /// - Throws: ``MerkleError/Code/invalidArgument`` when `leafIndex >= treeSize`, or what
    ///   ``node(level:index:)`` throws.
    public func inclusionProof(leafIndex: UInt64, treeSize: UInt64) throws -> InclusionProof {
        guard leafIndex < treeSize else {
            throw MerkleError(.invalidArgument, "inclusion proof for leaf \(leafIndex) of a tree of size \(treeSize)")
        }
        var hashes: [MerkleHash] = []
        hashes.reserveCapacity(64 - treeSize.leadingZeroBitCount)
        try appendPath(leafIndex, start: 0, count: treeSize, to: &hashes)
        return InclusionProof(leafIndex: leafIndex, treeSize: treeSize, hashes: hashes)
    }

    /// The RFC 9162 §2.1.4.1 consistency proof between the trees of `oldSize` and `newSize` leaves.
    /// - Throws: ``MerkleError/Code/invalidArgument`` unless `0 < oldSize <= newSize` (a proof from
    ///   the empty tree is not defined), or what ``node(level:index:)`` throws.
    public func consistencyProof(from oldSize: UInt64, to newSize: UInt64) throws -> ConsistencyProof {
        guard oldSize > 0, oldSize <= newSize else {
            throw MerkleError(.invalidArgument, "consistency proof from size \(oldSize) to size \(newSize)")
        }
        var hashes: [MerkleHash] = []
        if oldSize < newSize {
            hashes.reserveCapacity(64 - newSize.leadingZeroBitCount + 1)
            try appendSubproof(oldSize, start: 0, count: newSize, isCompleteOldTree: true, to: &hashes)
        }
        return ConsistencyProof(oldSize: oldSize, newSize: newSize, hashes: hashes)
    }

    /// MTH of the leaves `[start, start + count)`, where `start` is a multiple of the smallest power
    /// of two not below `count` (as every range in RFC 9162's recursions is).
    internal func rangeHash(start: UInt64, count: UInt64) throws -> MerkleHash {
        if count & (count - 1) == 0 {
            let level = count.trailingZeroBitCount
            return try node(level: level, index: start >> UInt64(level))
        }
        let split = Self.largestPowerOfTwo(below: count)
        let left = try rangeHash(start: start, count: split)
        let right = try rangeHash(start: start + split, count: count - split)
        return MerkleHash.nodeHash(left, right)
    }

    /// RFC 9162 PATH(m, D[start ..< start + count]), appended bottom-up.
    private func appendPath(_ m: UInt64, start: UInt64, count: UInt64, to hashes: inout [MerkleHash]) throws {
        guard count > 1 else { return }
        let k = Self.largestPowerOfTwo(below: count)
        if m < k {
            try appendPath(m, start: start, count: k, to: &hashes)
            hashes.append(try rangeHash(start: start + k, count: count - k))
        } else {
            try appendPath(m - k, start: start + k, count: count - k, to: &hashes)
            hashes.append(try rangeHash(start: start, count: k))
        }
    }

    /// RFC 9162 SUBPROOF(m, D[start ..< start + count], b), appended bottom-up.
    private func appendSubproof(
        _ m: UInt64,
        start: UInt64,
        count: UInt64,
        isCompleteOldTree: Bool,
        to hashes: inout [MerkleHash]
    ) throws {
        if m == count {
            if !isCompleteOldTree {
                hashes.append(try rangeHash(start: start, count: m))
            }
            return
        }
        let k = Self.largestPowerOfTwo(below: count)
        if m <= k {
            try appendSubproof(m, start: start, count: k, isCompleteOldTree: isCompleteOldTree, to: &hashes)
            hashes.append(try rangeHash(start: start + k, count: count - k))
        } else {
            try appendSubproof(m - k, start: start + k, count: count - k, isCompleteOldTree: false, to: &hashes)
            hashes.append(try rangeHash(start: start, count: k))
        }
    }

    /// The largest power of two strictly below `n`, for `n >= 2`.
    internal static func largestPowerOfTwo(below n: UInt64) -> UInt64 {
        1 << UInt64(63 - (n - 1).leadingZeroBitCount)
    }
}
