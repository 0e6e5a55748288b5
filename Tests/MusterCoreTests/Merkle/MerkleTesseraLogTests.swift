import Foundation
import MusterCore
import MusterTesting
import Testing

/// The transparency-dev/tessera test log: entry bundles, level-0 tiles and checkpoints on disk.
@Suite struct MerkleTesseraLogTests {
    static let log = "transparency-dev-tessera/log"

    static func files(under folder: String) throws -> [String] {
        let url = Vectors.directory.appendingPathComponent("\(log)/\(folder)")
        return try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Vectors.data("\(log)/\(path)"))
    }

    /// All entries of the log, from the widest bundle (each bundle is a prefix of the next).
    static func allEntries() throws -> [[UInt8]] {
        let widths = try files(under: "tile/entries/000.p").compactMap { Int($0) }
        return try EntryBundle.decode(bytes("tile/entries/000.p/\(widths.max()!)"))
    }

    @Test func everyBundleDecodesAndMatchesItsLevelZeroTile() throws {
        let names = try Self.files(under: "tile/entries/000.p")
        #expect(names.count == 15)
        for name in names {
            let bundlePath = "tile/entries/000.p/\(name)"
            let tile = try TlogTile(entryBundlePath: bundlePath)
            #expect(tile.entryBundlePath == bundlePath)
            let entries = try EntryBundle.decode(Self.bytes(bundlePath))
            #expect(entries.count == tile.width)
            #expect(try EntryBundle.encode(entries) == Self.bytes(bundlePath))

            let hashTile = try Self.bytes(tile.path)
            #expect(tile.path == "tile/0/000.p/\(name)")
            let expected = entries.flatMap { MerkleHash.leafHash($0).bytes }
            #expect(hashTile == expected, "\(tile.path)")
        }
    }

    @Test func checkpointRootsMatchTheEntries() throws {
        let leaves = try Self.allEntries().map { MerkleHash.leafHash($0) }
        #expect(leaves.count == 15)
        let checkpoints = try Self.files(under: "").filter { $0.hasPrefix("checkpoint.") }
        #expect(checkpoints.count == 16)
        let tree = MerkleTree(leafHashes: leaves)
        for name in checkpoints {
            let text = String(decoding: try Self.bytes(name), as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines[0] == "example.com/log/testdata")
            let size = try #require(UInt64(lines[1]))
            #expect("checkpoint.\(size)" == name)
            let root = try MerkleHash(base64: lines[2])
            #expect(root.base64 == String(lines[2]))
            #expect(MerkleTree.rootHash(leafHashes: leaves.prefix(Int(size))) == root, "\(name)")
            #expect(try tree.root(treeSize: size) == root)
        }
    }

    @Test func tilesOnDiskAreTheTilesOfTheTree() throws {
        // The log kept every partial tile it ever had; the tree of size n has exactly tile/0/000.p/n.
        for size in UInt64(1)...15 {
            let tiles = TlogTile.tiles(treeSize: size)
            #expect(tiles.map(\.path) == ["tile/0/000.p/\(size)"])
            #expect(tiles.map(\.entryBundlePath) == ["tile/entries/000.p/\(size)"])
        }
        let onDisk = Set(try Self.files(under: "tile/0/000.p").map { "tile/0/000.p/\($0)" })
        let expected = Set((UInt64(1)...15).flatMap { TlogTile.tiles(treeSize: $0).map(\.path) })
        #expect(onDisk == expected)
    }

    @Test func consistencyBetweenEveryPairOfCheckpoints() throws {
        let leaves = try Self.allEntries().map { MerkleHash.leafHash($0) }
        let tree = MerkleTree(leafHashes: leaves)
        var roots: [UInt64: MerkleHash] = [:]
        for size in UInt64(0)...15 {
            let lines = String(decoding: try Self.bytes("checkpoint.\(size)"), as: UTF8.self).split(separator: "\n")
            roots[size] = try MerkleHash(base64: lines[2])
        }
        for old in UInt64(1)...15 {
            for new in old...15 {
                let proof = try tree.consistencyProof(from: old, to: new)
                #expect(proof.verify(oldRoot: roots[old]!, newRoot: roots[new]!) == .valid)
            }
        }
    }
}
