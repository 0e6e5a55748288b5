import Foundation
import MusterCore
import MusterTesting

/// Helpers shared by the Merkle suites: vector discovery, hash decoding, an independent
/// recursive MTH, and a seeded random generator.
enum MerkleTestSupport {
    /// Every `.json` file below `transparency-dev-merkle/<kind>`, as paths relative to the vectors root.
    static func probeFiles(_ kind: String) throws -> [String] {
        let root = Vectors.directory.appendingPathComponent("transparency-dev-merkle/\(kind)")
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            return []
        }
        var files: [String] = []
        for case let url as URL in walker where url.pathExtension == "json" {
            let relative = url.standardizedFileURL.path.replacingOccurrences(
                of: Vectors.directory.standardizedFileURL.path + "/",
                with: ""
            )
            files.append(relative)
        }
        return files.sorted()
    }

    /// Decodes a JSON vector file.
    static func decode<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
        try JSONDecoder().decode(type, from: Vectors.data(path))
    }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = hex.utf8.makeIterator()
        while let high = chars.next(), let low = chars.next() {
            out.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)!)
        }
        return out
    }

    /// RFC 9162 MTH by the definition's recursion, independent of the code under test's loops.
    static func recursiveRoot(_ leaves: ArraySlice<MerkleHash>) -> MerkleHash {
        if leaves.isEmpty { return MerkleHash.emptyTreeRoot }
        if leaves.count == 1 { return leaves[leaves.startIndex] }
        var k = 1
        while k * 2 < leaves.count { k *= 2 }
        let split = leaves.startIndex + k
        return MerkleHash.nodeHash(recursiveRoot(leaves[..<split]), recursiveRoot(leaves[split...]))
    }

    /// Leaf hashes of `count` distinct synthetic entries.
    static func leaves(_ count: Int) -> [MerkleHash] {
        (0..<count).map { MerkleHash.leafHash(Array("entry \($0)".utf8)) }
    }
}

/// A tiny seeded generator (MerkleSeededRandom) so property tests are reproducible.
struct MerkleSeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A `MerkleNodeReader` built only from what an appender reports plus the leaves, as a store
/// would persist them.
struct MerkleRecordedNodes: MerkleNodeReader {
    var nodes: [Int: [UInt64: MerkleHash]] = [:]

    func node(level: Int, index: UInt64) throws -> MerkleHash {
        guard let hash = nodes[level]?[index] else {
            throw MerkleError(.missingNode, "no recorded node at level \(level), index \(index)")
        }
        return hash
    }
}
