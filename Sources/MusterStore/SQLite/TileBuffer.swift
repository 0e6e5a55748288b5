import MusterCore

/// The right edge of one origin's tree as C2SP tlog-tiles: for each tile level, the hashes of the
/// partial tile still filling up. Appending leaves fills level 0; each inner node at a tree level
/// that is a multiple of 8 fills the tile level above. A batch then writes every tile it touched.
struct TileBuffer: Sendable {
    /// Partial tile hashes per tile level.
    private(set) var partial: [[MerkleHash]] = []
    /// Tiles touched since the last ``drainTouched()``: (level, index) → hashes.
    private var touched: [TileKey: [MerkleHash]] = [:]

    struct TileKey: Hashable, Sendable {
        let level: Int
        let index: UInt64
    }

    /// Restores the buffer for a tree of `size` from its stored partial tiles.
    init(size: UInt64, loadPartial: (Int, UInt64, Int) throws -> [MerkleHash]) throws {
        var level = 0
        while true {
            let count = size >> UInt64(8 * level)
            if count == 0 { break }
            let width = Int(count % 256)
            partial.append(width == 0 ? [] : try loadPartial(level, count / 256, width))
            level += 1
        }
    }

    init() {}

    /// Records the hash of the node at tree level `8 · tileLevel`, index `index`.
    mutating func add(tileLevel: Int, index: UInt64, hash: MerkleHash) {
        while partial.count <= tileLevel { partial.append([]) }
        precondition(UInt64(partial[tileLevel].count) == index % 256, "tile hashes must arrive in order")
        partial[tileLevel].append(hash)
        touched[TileKey(level: tileLevel, index: index / 256)] = partial[tileLevel]
        if partial[tileLevel].count == 256 { partial[tileLevel].removeAll(keepingCapacity: true) }
    }

    /// Feeds one append: its leaf and the inner nodes it completed.
    mutating func add(leafIndex: UInt64, leafHash: MerkleHash, completed: [MerkleAppender.CompletedNode]) {
        add(tileLevel: 0, index: leafIndex, hash: leafHash)
        for node in completed where node.level % 8 == 0 {
            add(tileLevel: node.level / 8, index: node.index, hash: node.hash)
        }
    }

    /// The tiles touched since the last call, to be written.
    mutating func drainTouched() -> [(level: Int, index: UInt64, hashes: [MerkleHash])] {
        defer { touched.removeAll(keepingCapacity: true) }
        return touched.map { ($0.key.level, $0.key.index, $0.value) }
    }
}
