import GRDB

/// How much WAL a durable pool's writer lets grow before it checkpoints.
let walCheckpointBytes = 64 << 20

extension DatabasePool {
    /// Opens a pool in WAL mode whose writer commits with `synchronous=FULL`, so a commit that
    /// returned survives a power loss, not only a crash of the process.
    ///
    /// The setting cannot go in `Configuration.prepareDatabase`: a pool turns WAL mode on after
    /// that runs, and sets `synchronous=NORMAL` as it does (GRDB's `setUpWALMode`).
    ///
    /// The WAL is checkpointed every 64 MB (16,384 pages of 4 KiB, 4,096 of 16 KiB), not SQLite's
    /// 1,000 pages: a page that many commits change (the B-trees' right edges, the read models,
    /// the key store's random subject index) then reaches the database once per checkpoint, not
    /// once per commit. Only the writer commits, so only its setting counts.
    ///
    /// The writer keeps temporary storage in memory: a many-row statement inside a transaction
    /// (the rebuild's batched inserts) journals the pages it changes, and SQLite spills that
    /// statement journal to a temporary file past 64 KiB (a 1 M-entry rebuild wrote 343 MB there).
    static func durable(path: String, configuration: Configuration) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in
            let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = \(walCheckpointBytes / max(512, pageSize))")
        }
        return pool
    }
}
