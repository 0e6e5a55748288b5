import MusterCore
import Testing

/// The incremental appender: roots, restoring, and the completed nodes it reports.
@Suite struct MerkleAppenderTests {
    @Test func rootEqualsRecursiveMTHAtEverySize() {
        let leaves = MerkleTestSupport.leaves(600)
        var appender = MerkleAppender()
        #expect(appender.rootHash == MerkleHash.emptyTreeRoot)
        for (index, leaf) in leaves.enumerated() {
            #expect(appender.append(leaf) == UInt64(index))
            #expect(appender.size == UInt64(index + 1))
            #expect(appender.frontier.count == (index + 1).nonzeroBitCount)
            #expect(appender.rootHash == MerkleTestSupport.recursiveRoot(leaves.prefix(index + 1)))
        }
    }

    @Test(arguments: [0, 1, 2, 3, 7, 8, 100, 255, 256, 257])
    func restoredAppenderContinuesCorrectly(restoreAt: Int) throws {
        let leaves = MerkleTestSupport.leaves(400)
        var original = MerkleAppender()
        for leaf in leaves.prefix(restoreAt) { original.append(leaf) }
        var fromFrontier = try MerkleAppender(size: original.size, frontier: original.frontier)
        let tree = MerkleTree(leafHashes: leaves.prefix(restoreAt))
        var fromReader = try MerkleAppender(reader: tree, size: UInt64(restoreAt))
        #expect(fromReader == fromFrontier)
        for (offset, leaf) in leaves.dropFirst(restoreAt).enumerated() {
            var fromOriginal: [MerkleAppender.CompletedNode] = []
            var fromRestored: [MerkleAppender.CompletedNode] = []
            original.append(leaf) { fromOriginal.append($0) }
            fromFrontier.append(leaf) { fromRestored.append($0) }
            fromReader.append(leaf)
            #expect(fromOriginal == fromRestored)
            let expected = MerkleTestSupport.recursiveRoot(leaves.prefix(restoreAt + offset + 1))
            #expect(fromFrontier.rootHash == expected)
            #expect(fromReader.rootHash == expected)
        }
    }

    @Test func mismatchedFrontierIsRejected() {
        let hash = MerkleHash.emptyTreeRoot
        #expect(throws: MerkleError(.invalidFrontier, "")) { try MerkleAppender(size: 3, frontier: [hash]) }
        #expect(throws: MerkleError(.invalidFrontier, "")) { try MerkleAppender(size: 0, frontier: [hash]) }
        #expect(throws: MerkleError(.missingNode, "")) { try MerkleAppender(reader: MerkleTree(), size: 1) }
    }

    @Test func reportedNodesBuildAReaderThatGivesCorrectProofs() throws {
        let leaves = MerkleTestSupport.leaves(300)
        let tree = MerkleTree(leafHashes: leaves)
        var store = MerkleRecordedNodes()
        var appender = MerkleAppender()
        for leaf in leaves {
            let index = appender.append(leaf) { node in
                #expect(node.level >= 1)
                #expect(store.nodes[node.level]?[node.index] == nil, "reported twice")
                store.nodes[node.level, default: [:]][node.index] = node.hash
            }
            store.nodes[0, default: [:]][index] = leaf
        }
        // Exactly the complete subtrees, each the in-memory tree's hash.
        for level in 1..<tree.levels.count {
            #expect(store.nodes[level]?.count == tree.levels[level].count)
            for (index, hash) in tree.levels[level].enumerated() {
                #expect(store.nodes[level]?[UInt64(index)] == hash)
            }
        }
        var generator = MerkleSeededRandom(seed: 300)
        for _ in 0..<60 {
            let size = UInt64.random(in: 1...300, using: &generator)
            let old = UInt64.random(in: 1...size, using: &generator)
            let index = UInt64.random(in: 0..<size, using: &generator)
            let root = try store.root(treeSize: size)
            #expect(root == MerkleTestSupport.recursiveRoot(leaves.prefix(Int(size))))
            let inclusion = try store.inclusionProof(leafIndex: index, treeSize: size)
            #expect(inclusion == (try tree.inclusionProof(leafIndex: index, treeSize: size)))
            #expect(inclusion.verify(leafHash: leaves[Int(index)], rootHash: root) == .valid)
            let consistency = try store.consistencyProof(from: old, to: size)
            #expect(consistency.verify(oldRoot: try store.root(treeSize: old), newRoot: root) == .valid)
        }
        #expect(throws: MerkleError(.invalidArgument, "")) { try store.inclusionProof(leafIndex: 5, treeSize: 5) }
        #expect(throws: MerkleError(.invalidArgument, "")) { try store.consistencyProof(from: 0, to: 5) }
        #expect(throws: MerkleError(.missingNode, "")) { try store.root(treeSize: 301) }
    }

    @Test func proofsReadLogarithmicallyManyNodes() throws {
        final class CountingReader: MerkleNodeReader {
            let tree: MerkleTree
            var reads = 0
            init(_ tree: MerkleTree) { self.tree = tree }
            func node(level: Int, index: UInt64) throws -> MerkleHash {
                reads += 1
                return try tree.node(level: level, index: index)
            }
        }
        let reader = CountingReader(MerkleTree(leafHashes: MerkleTestSupport.leaves(1000)))
        var generator = MerkleSeededRandom(seed: 1000)
        for _ in 0..<200 {
            let size = UInt64.random(in: 1...1000, using: &generator)
            let bound = 2 * (64 - size.leadingZeroBitCount) + 2
            reader.reads = 0
            _ = try reader.inclusionProof(leafIndex: UInt64.random(in: 0..<size, using: &generator), treeSize: size)
            #expect(reader.reads <= bound)
            reader.reads = 0
            _ = try reader.consistencyProof(from: UInt64.random(in: 1...size, using: &generator), to: size)
            #expect(reader.reads <= bound)
            reader.reads = 0
            _ = try reader.root(treeSize: size)
            #expect(reader.reads == size.nonzeroBitCount)
        }
    }
}
