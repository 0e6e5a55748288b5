import GRDB

extension DatabasePool {
    /// Opens a pool in WAL mode whose writer commits with `synchronous=FULL`, so a commit that
    /// returned survives a power loss, not only a crash of the process.
    ///
    /// The setting cannot go in `Configuration.prepareDatabase`: a pool turns WAL mode on after
    /// that runs, and sets `synchronous=NORMAL` as it does (GRDB's `setUpWALMode`).
    static func durable(path: String, configuration: Configuration) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return pool
    }
}
