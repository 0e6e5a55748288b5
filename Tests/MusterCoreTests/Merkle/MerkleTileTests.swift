import Foundation
import MusterCore
import MusterTesting
import Testing

/// tlog-tiles paths, entry bundles and the tiles of a tree.
@Suite struct MerkleTileTests {
    struct NoteVectors: Decodable {
        struct TilePaths: Decodable {
            var valid: [String]
            var invalid: [String]
        }
        var tilePathExamples: TilePaths
    }

    /// Go's sumdb paths carry the tile height: `tile/<H>/<L>/<N>…`; C2SP drops `<H>` (fixed at 8).
    static func withoutHeight(_ goPath: String) -> String {
        var parts = goPath.split(separator: "/", omittingEmptySubsequences: false)
        parts.remove(at: 1)
        return parts.joined(separator: "/")
    }

    @Test func goSumdbTilePathExamples() throws {
        let vectors = try MerkleTestSupport.decode(NoteVectors.self, "golang-mod-sumdb/note-vectors.json")
        #expect(!vectors.tilePathExamples.valid.isEmpty)
        for goPath in vectors.tilePathExamples.valid {
            let path = Self.withoutHeight(goPath)
            let tile = try TlogTile(path: path)
            #expect(tile.path == path)
        }
        for goPath in vectors.tilePathExamples.invalid {
            #expect(throws: MerkleError(.invalidTilePath, "")) { try TlogTile(path: Self.withoutHeight(goPath)) }
        }
    }

    @Test(arguments: [
        (UInt64(0), "000"), (5, "005"), (67, "067"), (999, "999"), (1000, "x001/000"),
        (1_234_067, "x001/x234/067"), (UInt64.max, "x018/x446/x744/x073/x709/x551/615"),
    ])
    func indexEncoding(index: UInt64, encoded: String) throws {
        #expect(TlogTile.encodedIndex(index) == encoded)
        let tile = try TlogTile(level: 2, index: index, width: 7)
        #expect(tile.path == "tile/2/\(encoded).p/7")
        #expect(try TlogTile(path: tile.path) == tile)
        #expect(try TlogTile(entryBundlePath: "tile/entries/\(encoded)") == TlogTile(level: 0, index: index))
    }

    @Test(arguments: [
        "tile/0/1", "tile/0/0001", "tile/00/001", "tile/64/001", "tile/0/001.p/0", "tile/0/001.p/256",
        "tile/0/001.p/07", "tile/0/x000/001", "tile/0/x001", "tile/0/001/002", "tile/0/x018/x446/x744/x073/x709/x551/616",
        "tiles/0/001", "tile/0/", "tile/entries/001", "tile/0/00a",
    ])
    func rejectsMalformedTilePaths(path: String) {
        #expect(throws: MerkleError(.invalidTilePath, "")) { try TlogTile(path: path) }
    }

    @Test func tilesOfATree() throws {
        #expect(TlogTile.tiles(treeSize: 0).isEmpty)
        #expect(TlogTile.tiles(treeSize: 256).map(\.path) == ["tile/0/000", "tile/1/000.p/1"])
        let size: UInt64 = 256 * 256 * 2 + 256 * 3 + 17
        let tiles = TlogTile.tiles(treeSize: size)
        let partial = TlogTile.partialTiles(treeSize: size).map(\.path)
        #expect(partial == ["tile/0/515.p/17", "tile/1/002.p/3", "tile/2/000.p/2"])
        #expect(tiles.filter { $0.level == 0 }.count == 2 * 256 + 3 + 1)
        #expect(tiles.filter { $0.level == 1 }.count == 2 + 1)
        // Every hash at tile levels is covered exactly once.
        for level in 0..<3 {
            let covered = tiles.filter { $0.level == level }.reduce(0) { $0 + $1.width }
            #expect(UInt64(covered) == size >> UInt64(8 * level))
        }
    }

    @Test func entryBundleRoundTripAndTruncation() throws {
        let entries: [[UInt8]] = [[], Array("one".utf8), [UInt8](repeating: 7, count: 300)]
        let bundle = try EntryBundle.encode(entries)
        #expect(bundle.count == 2 + 2 + 3 + 2 + 300)
        #expect(try EntryBundle.decode(bundle) == entries)
        for cut in 1..<bundle.count where cut != 2 && cut != 7 {
            #expect(throws: MerkleError(.malformedEntryBundle, "")) { try EntryBundle.decode(Array(bundle.prefix(cut))) }
        }
        #expect(throws: MerkleError(.malformedEntryBundle, "")) {
            try EntryBundle.encode([[UInt8](repeating: 0, count: 65_536)])
        }
        #expect(throws: MerkleError(.malformedEntryBundle, "")) {
            try EntryBundle.decode([UInt8](repeating: 0, count: 2 * 257))
        }
    }
}
