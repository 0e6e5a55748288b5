import MusterCore
import Testing

/// Universal claims over random trees: generated proofs verify, any corruption is caught, and the
/// appender agrees with the recursive definition and can feed a store's node reader.
@Suite struct MerklePropertyTests {
    static let sizes: [Int] = {
        var generator = MerkleSeededRandom(seed: 9162)
        return [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 255, 256, 257] + (0..<6).map { _ in Int.random(in: 10...300, using: &generator) }
    }()

    /// Indices to probe in a tree of `size`: all when small, a sample (with the edges) otherwise.
    static func sample(_ size: Int, _ generator: inout MerkleSeededRandom) -> [Int] {
        if size <= 40 { return Array(0..<size) }
        return [0, 1, size / 2, size - 2, size - 1] + (0..<10).map { _ in Int.random(in: 0..<size, using: &generator) }
    }

    /// Every single-bit flip in each proof hash makes the proof fail.
    static func flippedCopies(_ hashes: [MerkleHash]) -> [[MerkleHash]] {
        var copies: [[MerkleHash]] = []
        for position in hashes.indices {
            for byte in [0, 13, 31] {
                var bytes = hashes[position].bytes
                bytes[byte] ^= 0x01
                var copy = hashes
                copy[position] = try! MerkleHash(bytes: bytes)
                copies.append(copy)
            }
        }
        return copies
    }

    @Test(arguments: sizes)
    func inclusionProofsVerifyAndCorruptionsFail(size: Int) throws {
        var generator = MerkleSeededRandom(seed: UInt64(size))
        let leaves = MerkleTestSupport.leaves(size)
        let tree = MerkleTree(leafHashes: leaves)
        for treeSize in Set([size, max(1, size / 2), max(1, size - 1)]) {
            let root = MerkleTestSupport.recursiveRoot(leaves.prefix(treeSize))
            #expect(try tree.root(treeSize: UInt64(treeSize)) == root)
            for index in Self.sample(treeSize, &generator) {
                let proof = try tree.inclusionProof(leafIndex: UInt64(index), treeSize: UInt64(treeSize))
                #expect(proof.verify(leafHash: leaves[index], rootHash: root) == .valid)
                for hashes in Self.flippedCopies(proof.hashes) {
                    var bad = proof
                    bad.hashes = hashes
                    #expect(!bad.verify(leafHash: leaves[index], rootHash: root).isValid)
                }
                var wrongIndex = proof
                wrongIndex.leafIndex = UInt64((index + 1) % treeSize)
                if treeSize > 1 { #expect(!wrongIndex.verify(leafHash: leaves[index], rootHash: root).isValid) }
                for wrongSize in [treeSize - 1, treeSize + 1, 2 * treeSize] where wrongSize > 0 {
                    var bad = proof
                    bad.treeSize = UInt64(wrongSize)
                    let otherRoot = MerkleTestSupport.recursiveRoot(leaves.prefix(min(wrongSize, size)))
                    // Against the true root a wrong size can still pass when the path has the same
                    // shape (RFC 9162 binds the size through the signed checkpoint, not the path), so
                    // the claim is checked against the root of the claimed size.
                    if wrongSize != treeSize, wrongSize <= size {
                        #expect(!bad.verify(leafHash: leaves[index], rootHash: otherRoot).isValid)
                    }
                }
                #expect(!proof.verify(leafHash: MerkleHash.emptyTreeRoot, rootHash: root).isValid)
                var extended = proof
                extended.hashes.append(root)
                #expect(!extended.verify(leafHash: leaves[index], rootHash: root).isValid)
                if !proof.hashes.isEmpty {
                    var truncated = proof
                    truncated.hashes.removeLast()
                    #expect(!truncated.verify(leafHash: leaves[index], rootHash: root).isValid)
                }
            }
        }
    }

    @Test(arguments: sizes)
    func consistencyProofsVerifyAndCorruptionsFail(size: Int) throws {
        var generator = MerkleSeededRandom(seed: UInt64(size) &* 31)
        let leaves = MerkleTestSupport.leaves(size)
        let tree = MerkleTree(leafHashes: leaves)
        let roots = (0...size).map { MerkleTestSupport.recursiveRoot(leaves.prefix($0)) }
        var pairs: [(Int, Int)] = []
        if size <= 40 {
            for old in 1...size { for new in old...size { pairs.append((old, new)) } }
        } else {
            pairs = [(1, size), (size - 1, size), (size / 2, size), (size, size)]
            for _ in 0..<15 {
                let new = Int.random(in: 1...size, using: &generator)
                pairs.append((Int.random(in: 1...new, using: &generator), new))
            }
        }
        for (old, new) in pairs {
            let proof = try tree.consistencyProof(from: UInt64(old), to: UInt64(new))
            #expect(proof.verify(oldRoot: roots[old], newRoot: roots[new]) == .valid, "\(old) → \(new)")
            for hashes in Self.flippedCopies(proof.hashes) {
                var bad = proof
                bad.hashes = hashes
                #expect(!bad.verify(oldRoot: roots[old], newRoot: roots[new]).isValid)
            }
            if old != new {
                #expect(!proof.verify(oldRoot: roots[old - 1], newRoot: roots[new]).isValid)
                #expect(!proof.verify(oldRoot: roots[old], newRoot: roots[new - 1]).isValid)
            }
            for (wrongOld, wrongNew) in [(old + 1, new), (old - 1, new), (old, new + 1), (old, new - 1)]
            where (wrongOld, wrongNew) != (old, new) && wrongOld <= size && wrongNew <= size {
                var bad = proof
                bad.oldSize = UInt64(wrongOld)
                bad.newSize = UInt64(wrongNew)
                let oldRoot = wrongOld >= 0 ? roots[max(wrongOld, 0)] : roots[0]
                let newRoot = wrongNew >= 0 ? roots[max(wrongNew, 0)] : roots[0]
                // As for inclusion, the proof's shape need not pin the sizes against the true roots;
                // with the roots of the claimed sizes it must fail, unless the genuine proof for the
                // claimed sizes is the very same list of hashes.
                let genuine = try? tree.consistencyProof(from: UInt64(max(wrongOld, 1)), to: UInt64(max(wrongNew, 1)))
                if wrongOld > 0, wrongOld <= wrongNew, genuine?.hashes != proof.hashes {
                    #expect(!bad.verify(oldRoot: oldRoot, newRoot: newRoot).isValid, "\(old)→\(new) as \(wrongOld)→\(wrongNew)")
                }
            }
        }
    }
}
