import Crypto
import GRDB
import MusterCore

/// A read model's digest: SHA-256 over its tables' rows in primary-key order. Two hubs holding
/// the same entries print the same digests (`muster digest`), whatever order the entries came in.
public struct ReadModelDigest: Sendable, Hashable {
    /// The projection.
    public let name: String
    /// Its version.
    public let version: Int
    /// Rows over all its tables.
    public let rows: Int64
    /// Lower-case hex SHA-256.
    public let hex: String
}

extension ProjectionEngine {
    /// The digest of each projection's read model, and of them all together (named `all`).
    ///
    /// Bytes hashed, per projection: `name LF version LF`, then per table (in declaration order)
    /// `table LF` and one line per row: the RFC 8785 JSON array of its values, then LF. `all`
    /// hashes the per-projection lines `name SP hex LF`.
    public func digests() throws -> [ReadModelDigest] {
        try readViews { db in
            var out: [ReadModelDigest] = []
            var all = SHA256()
            for p in projections {
                var hash = SHA256(), rows: Int64 = 0
                hash.update(data: Array("\(p.name)\n\(p.version)\n".utf8))
                for table in p.tables {
                    hash.update(data: Array("\(table.name)\n".utf8))
                    guard try Self.hasTable(db, table.name, in: ModelFile.schema(p.name)) else { continue }
                    let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM \(table.name) ORDER BY \(table.primaryKey.joined(separator: ", "))")
                    while let row = try cursor.next() {
                        let values = Array(row.databaseValues.map { ReadModelValue($0).json })
                        var line = try CanonicalJSON.encode(.array(values))
                        line.append(0x0A)
                        hash.update(data: line)
                        rows += 1
                    }
                }
                let hex = try MerkleHash(bytes: hash.finalize()).hex
                all.update(data: Array("\(p.name) \(hex)\n".utf8))
                out.append(ReadModelDigest(name: p.name, version: p.version, rows: rows, hex: hex))
            }
            let total = out.reduce(0) { $0 + $1.rows }
            out.append(ReadModelDigest(name: "all", version: 0, rows: total,
                                       hex: try MerkleHash(bytes: all.finalize()).hex))
            return out
        }
    }
}
