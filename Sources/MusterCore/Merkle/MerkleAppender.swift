/// An RFC 9162 tree kept as a compact range: only the roots of the complete subtrees along its
/// right edge (at most 64 hashes), enough to append leaves and compute the root.
///
/// A store appends each leaf hash here, persists the inner nodes each append completes (they are
/// what tiles are made of), and asks for ``rootHash`` when it writes a checkpoint. Appending costs
/// one SHA-256 per completed node (amortised one per leaf) and never computes the root.
public struct MerkleAppender: Sendable, Hashable {
    /// An inner node whose subtree an append has just completed.
    public struct CompletedNode: Sendable, Hashable {
        /// The node's level (1 or more; level 0 would be the leaf itself, which is not reported).
        public var level: Int
        /// The node's index within its level: it covers leaves `[index · 2^level, (index + 1) · 2^level)`.
        public var index: UInt64
        /// The node's hash.
        public var hash: MerkleHash

        /// Creates a completed-node record.
        public init(level: Int, index: UInt64, hash: MerkleHash) {
            self.level = level
            self.index = index
            self.hash = hash
        }
    }

    /// The number of leaves appended so far.
    public private(set) var size: UInt64
    /// The roots of the complete subtrees along the right edge, largest (leftmost) first; one per
    /// set bit of ``size``. Persist it with ``size`` to restore with ``init(size:frontier:)``.
    public private(set) var frontier: [MerkleHash]

    /// An appender for the empty tree.
    public init() {
        size = 0
        frontier = []
        frontier.reserveCapacity(64)
    }

    /// Restores an appender from a persisted size and frontier.
    /// - Throws: ``MerkleError/Code/invalidFrontier`` unless the frontier holds one hash per set
    ///   bit of `size`.
    public init(size: UInt64, frontier: [MerkleHash]) throws {
        guard frontier.count == size.nonzeroBitCount else {
            throw MerkleError(
                .invalidFrontier,
                "a frontier for size \(size) needs \(size.nonzeroBitCount) hashes, got \(frontier.count)"
            )
        }
        self.size = size
        self.frontier = frontier
        self.frontier.reserveCapacity(64)
    }

    /// Restores an appender at `size` by reading its frontier (one node per set bit) from `reader`.
    /// - Throws: What ``MerkleNodeReader/node(level:index:)`` throws.
    public init(reader: some MerkleNodeReader, size: UInt64) throws {
        var hashes: [MerkleHash] = []
        hashes.reserveCapacity(64)
        var start: UInt64 = 0
        for level in stride(from: 63, through: 0, by: -1) where size >> UInt64(level) & 1 == 1 {
            hashes.append(try reader.node(level: level, index: start >> UInt64(level)))
            start += 1 << UInt64(level)
        }
        try self.init(size: size, frontier: hashes)
    }

    /// Appends a leaf hash and reports every inner node it completes, lowest level first.
    /// - Parameters:
    ///   - leafHash: The new leaf's hash (``MerkleHash/leafHash(_:)``).
    ///   - onCompletedNode: Called once per completed inner node, before this method returns.
    /// - Returns: The new leaf's 0-based index.
    @discardableResult
    public mutating func append(_ leafHash: MerkleHash, onCompletedNode: (CompletedNode) -> Void) -> UInt64 {
        precondition(size < UInt64.max, "Merkle tree is full")
        let leafIndex = size
        var hash = leafHash
        var level = 0
        while leafIndex >> UInt64(level) & 1 == 1 {
            hash = MerkleHash.nodeHash(frontier.removeLast(), hash)
            level += 1
            onCompletedNode(CompletedNode(level: level, index: leafIndex >> UInt64(level), hash: hash))
        }
        frontier.append(hash)
        size = leafIndex + 1
        return leafIndex
    }

    /// Appends a leaf hash, ignoring the inner nodes it completes.
    /// - Returns: The new leaf's 0-based index.
    @discardableResult
    public mutating func append(_ leafHash: MerkleHash) -> UInt64 {
        append(leafHash) { _ in }
    }

    /// The RFC 9162 root hash of the current tree, computed on demand from the frontier
    /// (``MerkleHash/emptyTreeRoot`` for the empty tree).
    public var rootHash: MerkleHash {
        guard var root = frontier.last else { return MerkleHash.emptyTreeRoot }
        for hash in frontier.dropLast().reversed() {
            root = MerkleHash.nodeHash(hash, root)
        }
        return root
    }
}
