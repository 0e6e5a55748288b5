/// Reads complete-subtree hashes of one tree from its C2SP tlog-tiles, wherever they are kept (a
/// store's table, a bundle's files): proofs for any size cost O(log n) tile reads. Nodes inside a
/// tile (levels not a multiple of 8) are hashed on the fly from the tile's bottom row.
public final class TileHashReader: MerkleNodeReader {
    /// Fetches the tile at (tile level, index) as concatenated 32-byte hashes, at least as wide as
    /// the node asked for needs; nil when it is not there.
    public typealias Fetch = (_ level: Int, _ index: UInt64) throws -> [UInt8]?

    private let fetch: Fetch
    private var cache: [UInt64: [UInt8]] = [:]

    /// A reader fetching tiles with `fetch` (each tile at most once).
    public init(fetch: @escaping Fetch) { self.fetch = fetch }

    public func node(level: Int, index: UInt64) throws -> MerkleHash {
        let tileLevel = level / 8, height = level % 8
        let first = index << UInt64(height), count = 1 << height
        let tileIndex = first / 256
        let key = UInt64(tileLevel) << 56 | tileIndex
        let blob: [UInt8]
        if let cached = cache[key] {
            blob = cached
        } else {
            guard let fetched = try fetch(tileLevel, tileIndex) else {
                throw MerkleError(.missingNode, "tile \(tileLevel)/\(tileIndex) is missing")
            }
            blob = fetched
            cache[key] = blob
        }
        let offset = Int(first % 256)
        guard blob.count >= (offset + count) * 32 else {
            throw MerkleError(.missingNode,
                              "tile \(tileLevel)/\(tileIndex) has \(blob.count / 32) hashes; node \(level)/\(index) needs \(offset + count)")
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
