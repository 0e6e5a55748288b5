import GRDB

extension DatabasePool {
    /// Opens a pool in WAL mode whose writer commits with `synchronous=FULL`, so a commit that
    /// returned survives a power loss, not only a crash of the process.
    ///
    /// The setting cannot go in `Configuration.prepareDatabase`: a pool turns WAL mode on after
    /// that runs, and sets `synchronous=NORMAL` as it does (GRDB's `setUpWALMode`).
    ///
    /// The WAL is checkpointed every 64 MB (16,384 pages), not SQLite's 4 MB: a page that many
    /// commits change (the B-trees' right edges, the read models, the key store's random subject
    /// index) then reaches the database once per checkpoint, not once per commit.
    static func durable(path: String, configuration: Configuration) throws -> DatabasePool {
        var configuration = configuration
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return pool
    }
}
