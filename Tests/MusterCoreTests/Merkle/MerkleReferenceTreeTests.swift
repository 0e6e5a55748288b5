import Foundation
import MusterCore
import MusterTesting
import Testing

/// The RFC 6962 reference tree (8 leaves) and the derived all-proofs fixture for it.
@Suite struct MerkleReferenceTreeTests {
    struct RootVector: Decodable {
        var treeSize: UInt64
        var rootHash: String
    }

    struct InclusionVector: Decodable {
        var leafIndex: UInt64
        var treeSize: UInt64
        var leafHash: String
        var rootHash: String
        var proof: [String]
    }

    struct ConsistencyVector: Decodable {
        var size1: UInt64
        var size2: UInt64
        var root1: String
        var root2: String
        var proof: [String]
    }

    struct ReferenceTree: Decodable {
        struct Levels: Decodable {
            var levels: [[String]]
        }
        var leaves: [String]
        var nodeHashesByLevel: Levels?
        var roots: [RootVector]?
        var inclusionProofs: [InclusionVector]
        var consistencyProofs: [ConsistencyVector]
    }

    static let files = [
        "transparency-dev-merkle/rfc6962-reference-tree.json",
        "derived/rfc9162-8leaf-all-proofs.json",
    ]

    static func load(_ file: String) throws -> (ReferenceTree, MerkleTree) {
        let vector = try MerkleTestSupport.decode(ReferenceTree.self, file)
        let tree = MerkleTree(leafHashes: vector.leaves.map { MerkleHash.leafHash(MerkleTestSupport.bytes(hex: $0)) })
        return (vector, tree)
    }

    @Test func leafAndNodeHashesByLevel() throws {
        let vector = try MerkleTestSupport.decode(ReferenceTree.self, Self.files[0])
        let (_, tree) = try Self.load(Self.files[0])
        let levels = try #require(vector.nodeHashesByLevel).levels
        #expect(levels.count == 4)
        for (level, hashes) in levels.enumerated() {
            for (index, hex) in hashes.enumerated() {
                #expect(try tree.node(level: level, index: UInt64(index)) == MerkleHash(hex: hex))
            }
        }
    }

    @Test(arguments: files)
    func rootsForEverySize(file: String) throws {
        let (vector, tree) = try Self.load(file)
        let rootsFile = try MerkleTestSupport.decode(ReferenceTree.self, Self.files[1])
        let roots = vector.roots ?? rootsFile.roots ?? []
        #expect(roots.count == 9)
        let leaves = tree.levels[0]
        for root in roots {
            let expected = try MerkleHash(hex: root.rootHash)
            #expect(try tree.root(treeSize: root.treeSize) == expected)
            #expect(MerkleTree.rootHash(leafHashes: leaves.prefix(Int(root.treeSize))) == expected)
            #expect(MerkleTestSupport.recursiveRoot(leaves.prefix(Int(root.treeSize))) == expected)
        }
        #expect(tree.rootHash == (try MerkleHash(hex: roots[8].rootHash)))
    }

    @Test(arguments: files)
    func generatedInclusionProofsMatchAndVerify(file: String) throws {
        let (vector, tree) = try Self.load(file)
        #expect(!vector.inclusionProofs.isEmpty)
        for item in vector.inclusionProofs {
            let expected = try item.proof.map { try MerkleHash(hex: $0) }
            let proof = try tree.inclusionProof(leafIndex: item.leafIndex, treeSize: item.treeSize)
            #expect(proof.hashes == expected, "leaf \(item.leafIndex) of \(item.treeSize)")
            let leaf = try MerkleHash(hex: item.leafHash)
            let root = try MerkleHash(hex: item.rootHash)
            #expect(proof.verify(leafHash: leaf, rootHash: root) == .valid)
            #expect(try tree.root(treeSize: item.treeSize) == root)
        }
    }

    @Test(arguments: files)
    func generatedConsistencyProofsMatchAndVerify(file: String) throws {
        let (vector, tree) = try Self.load(file)
        #expect(!vector.consistencyProofs.isEmpty)
        for item in vector.consistencyProofs {
            let expected = try item.proof.map { try MerkleHash(hex: $0) }
            let proof = try tree.consistencyProof(from: item.size1, to: item.size2)
            #expect(proof.hashes == expected, "\(item.size1) → \(item.size2)")
            let root1 = try MerkleHash(hex: item.root1)
            let root2 = try MerkleHash(hex: item.root2)
            #expect(proof.verify(oldRoot: root1, newRoot: root2) == .valid)
        }
    }

    @Test func derivedFixtureListsEveryPair() throws {
        let vector = try MerkleTestSupport.decode(ReferenceTree.self, Self.files[1])
        #expect(vector.inclusionProofs.count == 36)
        #expect(vector.consistencyProofs.count == 36)
    }
}
