import GRDB

/// The hub database's migrations. Named, never edited once shipped.
enum HubSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-log") { db in
            try db.execute(sql: """
                CREATE TABLE origin (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    is_local INTEGER NOT NULL DEFAULT 0,
                    size INTEGER NOT NULL DEFAULT 0,
                    frozen_reason TEXT
                );
                CREATE TABLE entry (
                    arrival INTEGER PRIMARY KEY,
                    origin_id INTEGER NOT NULL REFERENCES origin(id),
                    seq INTEGER NOT NULL,
                    event_id BLOB NOT NULL,
                    bytes BLOB NOT NULL,
                    UNIQUE (origin_id, seq)
                );
                CREATE UNIQUE INDEX entry_event_id ON entry(event_id);
                CREATE TABLE tile (
                    origin_id INTEGER NOT NULL REFERENCES origin(id),
                    level INTEGER NOT NULL,
                    idx INTEGER NOT NULL,
                    hashes BLOB NOT NULL,
                    PRIMARY KEY (origin_id, level, idx)
                ) WITHOUT ROWID;
                CREATE TABLE checkpoint (
                    origin_id INTEGER NOT NULL REFERENCES origin(id),
                    size INTEGER NOT NULL,
                    root BLOB NOT NULL,
                    note TEXT NOT NULL,
                    stored_at INTEGER NOT NULL,
                    PRIMARY KEY (origin_id, size)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2-sync") { db in
            try db.execute(sql: """
                CREATE TABLE evidence (
                    id TEXT PRIMARY KEY,
                    origin TEXT NOT NULL,
                    json TEXT NOT NULL,
                    source TEXT NOT NULL,
                    found_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE peer_status (
                    peer TEXT NOT NULL,
                    origin TEXT NOT NULL,
                    their_size INTEGER,
                    last_error TEXT,
                    last_ok_at INTEGER,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (peer, origin)
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }
}
