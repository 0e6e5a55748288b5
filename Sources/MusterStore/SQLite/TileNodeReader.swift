import Foundation
import GRDB
import MusterCore

extension TileHashReader {
    /// A reader over one origin's tiles in the store's `tile` table.
    convenience init(db: Database, originID: Int64) {
        self.init { level, index in
            try Data.fetchOne(db, sql: "SELECT hashes FROM tile WHERE origin_id = ? AND level = ? AND idx = ?",
                              arguments: [originID, level, Int64(index)]).map(Array.init)
        }
    }
}
