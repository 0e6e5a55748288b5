/// The right edge of one origin's tree as C2SP tlog-tiles: for each tile level, the hashes of the
/// partial tile still filling up. Appending leaves fills level 0; each inner node at a tree level
/// that is a multiple of 8 fills the tile level above. A store writes every tile a batch touched;
/// an exporter or an auditor takes each tile as it fills, and the partial ones at the end.
public struct TileBuffer: Sendable {
    /// Partial tile hashes per tile level.
    public private(set) var partial: [[MerkleHash]] = []
    /// Tiles filled since the last ``drainTouched()`` (their hashes moved out of `partial`).
    private var filled: [(TileKey, [MerkleHash])] = []
    /// Per tile level, 1 + the index of the partial tile touched since the last
    /// ``drainTouched()`` that has not filled (0: none). A level has one partial tile at a time.
    private var touched: [UInt64] = []

    public struct TileKey: Hashable, Sendable {
        public let level: Int
        public let index: UInt64
    }

    /// Restores the buffer for a tree of `size` from its stored partial tiles.
    public init(size: UInt64, loadPartial: (Int, UInt64, Int) throws -> [MerkleHash]) throws {
        var level = 0
        while true {
            let count = size >> UInt64(8 * level)
            if count == 0 { break }
            let width = Int(count % 256)
            partial.append(width == 0 ? [] : try loadPartial(level, count / 256, width))
            level += 1
        }
    }

    /// A buffer for the empty tree.
    public init() {}

    /// Records the hash of the node at tree level `8 · tileLevel`, index `index`.
    public mutating func add(tileLevel: Int, index: UInt64, hash: MerkleHash) {
        while partial.count <= tileLevel { partial.append([]) }
        precondition(UInt64(partial[tileLevel].count) == index % 256, "tile hashes must arrive in order")
        partial[tileLevel].append(hash)
        let key = TileKey(level: tileLevel, index: index / 256)
        if partial[tileLevel].count == 256 {
            var full: [MerkleHash] = []
            full.reserveCapacity(256)
            swap(&full, &partial[tileLevel])
            filled.append((key, full))
        }
        while touched.count <= tileLevel { touched.append(0) }
        touched[tileLevel] = partial[tileLevel].isEmpty ? 0 : key.index &+ 1
    }

    /// Appends `leaf` to `appender` and records the leaf and every inner node it completes that
    /// lies on a tile level, without collecting the nodes first.
    /// - Returns: The leaf's 0-based index.
    @discardableResult
    public mutating func append(_ leaf: MerkleHash, to appender: inout MerkleAppender) -> UInt64 {
        let index = appender.size
        add(tileLevel: 0, index: index, hash: leaf)
        appender.append(leaf) { node in
            if node.level % 8 == 0 { add(tileLevel: node.level / 8, index: node.index, hash: node.hash) }
        }
        return index
    }

    /// The tiles touched since the last call, to be written: each tile filled since (256 hashes),
    /// then the partial tiles touched, with their hashes so far.
    public mutating func drainTouched() -> [(level: Int, index: UInt64, hashes: [MerkleHash])] {
        defer {
            filled.removeAll(keepingCapacity: true)
            for level in touched.indices { touched[level] = 0 }
        }
        return filled.map { ($0.0.level, $0.0.index, $0.1) }
            + touched.enumerated().compactMap { level, tile in tile == 0 ? nil : (level, tile - 1, partial[level]) }
    }

    /// The partial tiles on the right edge of the tree of `treeSize` leaves fed so far (at most
    /// one per level), as ``TlogTile/tiles(treeSize:)`` lists them.
    public func partialTiles(treeSize: UInt64) -> [(tile: TlogTile, hashes: [MerkleHash])] {
        partial.enumerated().compactMap { level, hashes in
            hashes.isEmpty ? nil : (TlogTile(unchecked: level, (treeSize >> UInt64(8 * level)) / 256, hashes.count), hashes)
        }
    }
}
