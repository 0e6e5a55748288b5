/// One tile of the C2SP tlog-tiles layout (https://c2sp.org/tlog-tiles): up to 256 consecutive
/// hashes at tree level `8 · level`, or, for level 0, the entry bundle holding the same leaves.
///
/// Tile `(level: L, index: N, width: W)` holds the hashes of the complete subtrees at tree level
/// `8L` with indices `[256N, 256N + W)`. A full tile has width 256; a partial one (the right edge
/// of a tree) has width 1 to 255 and a `.p/<W>` path suffix.
public struct TlogTile: Sendable, Hashable {
    /// Tree levels per tile level: a tile is a subtree of height 8.
    public static let height = 8
    /// Hashes in a full tile (2^8).
    public static let fullWidth = 256

    /// The tile level `L` (0 to 63 in paths; tree level `8L`).
    public let level: Int
    /// The tile's index `N` within its level.
    public let index: UInt64
    /// The number of hashes (or bundle entries) in the tile, 1 to 256.
    public let width: Int

    /// Creates a tile coordinate.
    /// - Throws: ``MerkleError/Code/invalidArgument`` unless `0 <= level <= 63` and `1 <= width <= 256`.
    public init(level: Int, index: UInt64, width: Int = TlogTile.fullWidth) throws {
        guard (0...63).contains(level), (1...Self.fullWidth).contains(width) else {
            throw MerkleError(.invalidArgument, "tile level \(level) (0...63) or width \(width) (1...256) out of range")
        }
        self.level = level
        self.index = index
        self.width = width
    }

    /// Whether the tile is partial (fewer than 256 hashes).
    public var isPartial: Bool {
        width < Self.fullWidth
    }

    /// The tree level of the hashes in this tile (`8 · level`).
    public var nodeLevel: Int {
        level * Self.height
    }

    /// The index, within ``nodeLevel``, of the tile's first hash.
    public var firstNodeIndex: UInt64 {
        index * UInt64(Self.fullWidth)
    }

    /// The hash tile's path, `tile/<L>/<N>[.p/<W>]`, e.g. `tile/0/x001/x234/067.p/8`.
    public var path: String {
        "tile/\(level)/\(Self.encodedIndex(index))\(partialSuffix)"
    }

    /// The path of the entry bundle with the same index and width, `tile/entries/<N>[.p/<W>]`.
    /// Only level-0 tiles correspond to entry bundles.
    public var entryBundlePath: String {
        "tile/entries/\(Self.encodedIndex(index))\(partialSuffix)"
    }

    /// Every tile a tree of `treeSize` leaves has: at each level the full tiles, then the partial
    /// tile on the right edge if there is one, levels in ascending order.
    public static func tiles(treeSize: UInt64) -> [TlogTile] {
        var result: [TlogTile] = []
        var level = 0
        while level * height < 64 {
            let nodes = treeSize >> UInt64(level * height)
            if nodes == 0 { break }
            let full = nodes / UInt64(fullWidth)
            for index in 0..<full {
                result.append(TlogTile(unchecked: level, index, fullWidth))
            }
            let rest = Int(nodes % UInt64(fullWidth))
            if rest > 0 {
                result.append(TlogTile(unchecked: level, full, rest))
            }
            level += 1
        }
        return result
    }

    /// Only the partial tiles of a tree of `treeSize` leaves (at most one per level), the ones
    /// that change as the tree grows.
    public static func partialTiles(treeSize: UInt64) -> [TlogTile] {
        tiles(treeSize: treeSize).filter(\.isPartial)
    }

    /// `N` as zero-padded 3-digit path elements, all but the last prefixed with `x`.
    public static func encodedIndex(_ index: UInt64) -> String {
        var groups: [UInt64] = []
        var rest = index
        repeat {
            groups.append(rest % 1000)
            rest /= 1000
        } while rest > 0
        var text = ""
        for (position, group) in groups.reversed().enumerated() {
            if position > 0 { text += "/" }
            if position < groups.count - 1 { text += "x" }
            text += group < 10 ? "00\(group)" : group < 100 ? "0\(group)" : "\(group)"
        }
        return text
    }

    internal init(unchecked level: Int, _ index: UInt64, _ width: Int) {
        self.level = level
        self.index = index
        self.width = width
    }

    private var partialSuffix: String {
        isPartial ? ".p/\(width)" : ""
    }
}
