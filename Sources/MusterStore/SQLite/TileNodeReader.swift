import Foundation
import GRDB
import MusterCore

/// Reads complete-subtree hashes of one origin's tree from its stored tiles, so proofs for any
/// size cost O(log n) tile reads. Nodes inside a tile (levels not a multiple of 8) are hashed on
/// the fly from the tile's bottom row.
struct TileNodeReader: MerkleNodeReader {
    let db: Database
    let originID: Int64
    private let cache = TileCache()

    init(db: Database, originID: Int64) {
        self.db = db
        self.originID = originID
    }

    final class TileCache { var tiles: [Int64: [UInt8]] = [:] }

    func node(level: Int, index: UInt64) throws -> MerkleHash {
        let tileLevel = level / 8, height = level % 8
        let first = index << UInt64(height), count = 1 << height
        let tileIndex = first / 256
        let key = Int64(tileLevel) << 56 | Int64(tileIndex)
        let blob: [UInt8]
        if let cached = cache.tiles[key] {
            blob = cached
        } else {
            guard let data = try Data.fetchOne(
                db, sql: "SELECT hashes FROM tile WHERE origin_id = ? AND level = ? AND idx = ?",
                arguments: [originID, tileLevel, Int64(tileIndex)])
            else { throw StoreError(.corrupt, "tile \(tileLevel)/\(tileIndex) is missing") }
            blob = Array(data)
            cache.tiles[key] = blob
        }
        let offset = Int(first % 256)
        guard blob.count >= (offset + count) * 32 else {
            throw StoreError(.corrupt, "tile \(tileLevel)/\(tileIndex) has \(blob.count / 32) hashes; node \(level)/\(index) needs \(offset + count)")
        }
        var row: [MerkleHash] = []
        row.reserveCapacity(count)
        for i in 0..<count {
            row.append(try MerkleHash(bytes: blob[(offset + i) * 32..<(offset + i + 1) * 32]))
        }
        while row.count > 1 {
            row = stride(from: 0, to: row.count, by: 2).map { MerkleHash.nodeHash(row[$0], row[$0 + 1]) }
        }
        return row[0]
    }
}
