/// An in-memory RFC 9162 tree that keeps every complete subtree's hash, for tests and small tools.
///
/// It is a ``MerkleNodeReader``, so it gives roots and proofs for any size up to ``size``. A store
/// should not use it for a real log: its memory grows with the log (about 64 bytes per leaf).
public struct MerkleTree: Sendable, Hashable, MerkleNodeReader {
    /// `levels[l][i]` is the hash of the complete subtree at level `l`, index `i`; level 0 holds
    /// the leaf hashes.
    public private(set) var levels: [[MerkleHash]]

    /// An empty tree.
    public init() {
        levels = [[]]
    }

    /// A tree of the given leaf hashes, in order.
    public init(leafHashes: some Sequence<MerkleHash>) {
        self.init()
        for leaf in leafHashes {
            append(leafHash: leaf)
        }
    }

    /// The number of leaves.
    public var size: UInt64 {
        UInt64(levels[0].count)
    }

    /// The root hash of the whole tree.
    public var rootHash: MerkleHash {
        guard size > 0 else { return MerkleHash.emptyTreeRoot }
        // Fold the right edge: one complete subtree per set bit of the size, smallest first.
        var root: MerkleHash?
        for level in 0..<levels.count where size >> UInt64(level) & 1 == 1 {
            let left = levels[level][levels[level].count - 1]
            root = root.map { MerkleHash.nodeHash(left, $0) } ?? left
        }
        return root ?? MerkleHash.emptyTreeRoot
    }

    /// Appends an entry, hashing it as a leaf.
    /// - Returns: The entry's 0-based leaf index.
    @discardableResult
    public mutating func append(entry: [UInt8]) -> UInt64 {
        append(leafHash: entry.withUnsafeBytes { MerkleHash.leafHash(bytes: $0) })
    }

    /// Appends a leaf hash and every inner node it completes.
    /// - Returns: The leaf's 0-based index.
    @discardableResult
    public mutating func append(leafHash: MerkleHash) -> UInt64 {
        let index = size
        levels[0].append(leafHash)
        var level = 0
        while levels[level].count % 2 == 0 {
            let count = levels[level].count
            let parent = MerkleHash.nodeHash(levels[level][count - 2], levels[level][count - 1])
            if levels.count == level + 1 {
                levels.append([])
            }
            levels[level + 1].append(parent)
            level += 1
        }
        return index
    }

    /// The hash of the complete subtree at `level`, `index`.
    /// - Throws: ``MerkleError/Code/missingNode`` when that subtree is not complete in this tree.
    public func node(level: Int, index: UInt64) throws -> MerkleHash {
        guard level >= 0, level < levels.count, index < UInt64(levels[level].count) else {
            throw MerkleError(.missingNode, "no complete subtree at level \(level), index \(index) in a tree of size \(size)")
        }
        return levels[level][Int(index)]
    }

    /// The RFC 9162 root hash (MTH) of a list of leaf hashes, in O(log n) memory.
    public static func rootHash(leafHashes: some Sequence<MerkleHash>) -> MerkleHash {
        var appender = MerkleAppender()
        for leaf in leafHashes {
            appender.append(leaf)
        }
        return appender.rootHash
    }
}
