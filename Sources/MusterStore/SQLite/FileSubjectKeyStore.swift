import Crypto
import Foundation
import GRDB
public import MusterCore
import Synchronization

/// Subjects' data keys on disk: their own SQLite file, each key wrapped (AES-256-GCM) under the
/// hub's key-encryption key, which is kept in a file beside the log key — never in the database.
///
/// The store is a key ring: a subject may hold more than one key (two hubs each made one before
/// they exchanged keys); the first the store received seals, every one opens. Each key has a
/// position (`seq`, never reused) in the order the store received it, which is the cursor a peer
/// pulls keys by (``page(after:limit:)``). Erased subjects are kept by name only, so that no key
/// of theirs is ever taken back.
///
/// New keys are held in memory until ``flushPending()`` writes them durably; the hub flushes before
/// it commits any entry sealed under them, so no entry is ever durable without its key.
public final class FileSubjectKeyStore: SubjectKeyStore {
    private let queue: DatabasePool
    private let kek: SymmetricKey
    private struct State {
        /// Each subject's sealing key (the first the store received).
        var cache: [SubjectID: SubjectKey] = [:]
        var pending: [SubjectID: SubjectKey] = [:]
        var erased: Set<SubjectID> = []
        /// Subjects a prefetch found to have no key on disk (until a key is made for them).
        var absent: Set<SubjectID> = []

        /// Caches a key, bounding memory whatever the number of subjects: past the limit the
        /// cache starts again (keys are re-read from disk on demand).
        mutating func remember(_ key: SubjectKey, for subject: SubjectID) {
            if cache.count >= 50_000 { cache.removeAll(keepingCapacity: true) }
            cache[subject] = key
        }
    }
    private let state = Mutex(State())
    /// Held by a flush from reading the pending keys until they are durable.
    private let flushing = NSLock()
    /// Where ``startFlush()`` writes: a queue of the store's own, as a flush blocks on its fsync
    /// (on the shared global queue it held one of the few threads the process's other work gets).
    private let flusher = DispatchQueue(label: "muster.subject-keys.flush")

    /// Opens (creating) the key store at `path` under the key-encryption key `kek` (32 bytes).
    public init(path: String, kek: [UInt8]) throws {
        guard kek.count == 32 else { throw StoreError(.keyFile, "the key-store key must be 32 bytes, found \(kek.count)") }
        let kek = SymmetricKey(data: kek)
        self.kek = kek
        // Erasure is crypto-shredding: a destroyed key's bytes must not stay on disk. SQLite zeroes
        // deleted content only where it is built to (Debian's is; others are not), so say so.
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA secure_delete = ON") }
        queue = try DatabasePool.durable(path: path, configuration: config)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-subject-keys") { db in
            try db.execute(sql: """
                CREATE TABLE subject_key (subject TEXT PRIMARY KEY, wrapped BLOB, erased INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID
                """)
        }
        migrator.registerMigration("v2-key-ring") { db in
            try db.execute(sql: """
                CREATE TABLE subject_key_ring (seq INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL, kid BLOB NOT NULL, wrapped BLOB NOT NULL);
                CREATE UNIQUE INDEX subject_key_ring_subject ON subject_key_ring(subject, kid);
                CREATE TABLE subject_erased (subject TEXT PRIMARY KEY) WITHOUT ROWID;
                CREATE TABLE key_cursor (peer TEXT PRIMARY KEY, after INTEGER NOT NULL) WITHOUT ROWID;
                """)
            // Version 1 kept one key per subject: each becomes the subject's first key in the ring.
            let insert = try db.makeStatement(sql: "INSERT INTO subject_key_ring(subject, kid, wrapped) VALUES (?, ?, ?)")
            for row in try Row.fetchAll(db, sql: "SELECT subject, wrapped, erased FROM subject_key ORDER BY subject") {
                let text: String = row["subject"]
                if (row["erased"] as Int64) != 0 {
                    try db.execute(sql: "INSERT INTO subject_erased(subject) VALUES (?)", arguments: [text])
                } else {
                    let subject = try SubjectID(text)
                    let wrapped: Data? = row["wrapped"]
                    let key = try Self.unwrap(wrapped, subject: subject, kek: kek)
                    try insert.execute(arguments: [text, Data(Self.keyID(key)), wrapped])
                }
            }
            try db.execute(sql: "DROP TABLE subject_key")
        }
        try migrator.migrate(queue)
        let erased = try queue.read { db in try String.fetchAll(db, sql: "SELECT subject FROM subject_erased") }
        state.withLock { $0.erased = Set(erased.compactMap { try? SubjectID($0) }) }
    }

    public func lookup(_ subject: SubjectID) throws -> SubjectKeyLookup {
        if let found = state.withLock({ s -> SubjectKeyLookup? in
            if s.erased.contains(subject) { return .erased }
            if let key = s.cache[subject] ?? s.pending[subject] { return .active(key) }
            return s.absent.contains(subject) ? .unknown : nil
        }) { return found }
        guard let wrapped = try queue.read({ db in
            // Cached: a hub recording events for new members asks once per new subject.
            try Data.fetchOne(db.cachedStatement(sql: "SELECT wrapped FROM subject_key_ring WHERE subject = ? ORDER BY seq LIMIT 1"),
                              arguments: [subject.text])
        }) else { return .unknown }
        let key = try unwrap(wrapped, subject: subject)
        state.withLock { $0.remember(key, for: subject) }
        return .active(key)
    }

    public func keyForSealing(_ subject: SubjectID) throws -> SubjectKey {
        switch try lookup(subject) {
        case .active(let key): return key
        case .erased: throw CoreError.erased(subject)
        case .unknown:
            return state.withLock { s in
                if let raced = s.pending[subject] ?? s.cache[subject] { return raced }
                let key = SubjectKey.generate()
                s.pending[subject] = key
                s.absent.remove(subject)
                return key
            }
        }
    }

    /// Loads what the store knows of many subjects with one query, so that preparing a batch of
    /// entries (mostly about new subjects, in an import) does not query once per entry.
    public func prefetch(_ subjects: some Sequence<SubjectID>) throws {
        let wanted = state.withLock { s in
            Set(subjects.filter { s.cache[$0] == nil && s.pending[$0] == nil && !s.erased.contains($0) })
        }
        guard !wanted.isEmpty else { return }
        let list = String(decoding: try CanonicalJSON.encode(.array(wanted.map { .string($0.text) })), as: UTF8.self)
        // One statement, consistent on its own (SQLite runs it in a read transaction of its own):
        // no transaction of GRDB's around it, a third of the read's time in a group commit.
        let rows = try queue.unsafeRead { db in
            // Compiled once per connection: a group commit asks once per batch.
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT subject, wrapped FROM subject_key_ring WHERE subject IN (SELECT value FROM json_each(?)) ORDER BY seq
                """), arguments: [list])
        }
        var found: [SubjectID: SubjectKey] = [:]
        for row in rows {
            guard let subject = try? SubjectID(row["subject"] as String), found[subject] == nil else { continue }
            found[subject] = try unwrap(row["wrapped"], subject: subject)
        }
        state.withLock { s in
            if s.absent.count > 100_000 { s.absent.removeAll() }
            for subject in wanted where found[subject] == nil { s.absent.insert(subject) }
            for (subject, key) in found { s.remember(key, for: subject) }
        }
    }

    /// Writes keys created since the last flush, in one durable transaction. The keys are wrapped
    /// (and their ids hashed) on every core before the transaction, and inserted in subject order
    /// through SQLite's C API: the subject index is written at random, and GRDB's argument
    /// binding per key had been most of the insert.
    ///
    /// Flushes run one at a time, each writing what is pending when it starts: one that finds a
    /// flush running waits for it, then writes only what that one did not. So a flush started
    /// early on another thread (``startFlush()``) leaves the commit's own flush nothing to write
    /// but the wait.
    public func flushPending() throws {
        flushing.lock()
        defer { flushing.unlock() }
        let pending = state.withLock { $0.pending }
        guard !pending.isEmpty else { return }
        let kek = self.kek
        let rows = try Parallel.mapChunked(pending.sorted { $0.key.text < $1.key.text }, minimum: 256) { subject, key in
            (subject: subject.text, kid: Self.keyID(key), wrapped: Array(try Self.wrap(key, subject: subject, kek: kek)))
        }
        try queue.write { db in
            let insert = try BoundStatement(db, "INSERT OR IGNORE INTO subject_key_ring(subject, kid, wrapped) VALUES (?, ?, ?)")
            for row in rows {
                _ = try row.kid.withUnsafeBytes { kid in
                    try row.wrapped.withUnsafeBytes { wrapped in
                        try insert.execute { $0.text(row.subject); $0.blob(kid); $0.blob(wrapped) }
                    }
                }
            }
        }
        state.withLock { s in
            for (subject, key) in pending {
                s.pending[subject] = nil
                s.remember(key, for: subject)
            }
        }
    }

    /// Starts writing the pending keys on another thread. Its error, if any, is left for the next
    /// ``flushPending()``, which writes what this one did not and throws.
    public func startFlush() {
        guard state.withLock({ !$0.pending.isEmpty }) else { return }
        flusher.async { try? self.flushPending() }
    }

    /// Makes the keys that sealing entries about `subjects` will need, now, so that a flush can
    /// write them while the entries are sealed. Erased subjects are left to the sealing, which
    /// refuses them.
    public func makeKeys(for subjects: some Sequence<SubjectID>) {
        for subject in subjects { _ = try? keyForSealing(subject) }
    }

    public func destroy(_ subject: SubjectID) throws {
        // Not while a flush runs: one that had read the subject's new key before the delete would
        // write it after.
        flushing.lock()
        defer { flushing.unlock() }
        try queue.write { db in
            try db.execute(sql: "DELETE FROM subject_key_ring WHERE subject = ?", arguments: [subject.text])
            try db.execute(sql: "INSERT OR IGNORE INTO subject_erased(subject) VALUES (?)", arguments: [subject.text])
        }
        // The write-ahead log still holds the pages as they were before the delete; copy the new
        // ones into the database and empty it, so the wrapped key is in neither file.
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        state.withLock { s in
            s.cache[subject] = nil
            s.pending[subject] = nil
            s.absent.remove(subject)
            s.erased.insert(subject)
        }
    }

    // MARK: Keys from other hubs

    public func allKeys(_ subject: SubjectID) throws -> [SubjectKey] {
        let (erased, pending) = state.withLock { ($0.erased.contains(subject), $0.pending[subject]) }
        guard !erased else { return [] }
        let stored = try queue.read { db in
            try Data.fetchAll(db.cachedStatement(sql: "SELECT wrapped FROM subject_key_ring WHERE subject = ? ORDER BY seq"),
                              arguments: [subject.text])
        }.map { try unwrap($0, subject: subject) }
        return stored + (pending.map { [$0] } ?? [])
    }

    /// Adds keys received from `peer` and moves that peer's cursor to `after`, in one durable
    /// transaction. A key already held is skipped; so is every key of a subject erased here (an
    /// erased subject's key never comes back). Returns how many keys were new.
    @discardableResult
    public func install(_ items: [SubjectKeyExchange.Item], from peer: String, after: Int64) throws -> Int {
        let added = try queue.write { db -> [SubjectID] in
            let erased = try db.makeStatement(sql: "SELECT 1 FROM subject_erased WHERE subject = ?")
            let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO subject_key_ring(subject, kid, wrapped) VALUES (?, ?, ?)")
            var added: [SubjectID] = []
            for item in items {
                guard try Bool.fetchOne(erased, arguments: [item.subject.text]) == nil else { continue }
                try insert.execute(arguments: [item.subject.text, Data(Self.keyID(item.key)), try wrap(item.key, subject: item.subject)])
                if db.changesCount > 0 { added.append(item.subject) }
            }
            try db.execute(sql: """
                INSERT INTO key_cursor(peer, after) VALUES (?, ?) ON CONFLICT(peer) DO UPDATE SET after = max(after, excluded.after)
                """, arguments: [peer, after])
            return added
        }
        // A subject that had no key has a sealing key now; one that had keys keeps its first.
        state.withLock { s in for subject in added { s.absent.remove(subject) } }
        return added.count
    }

    /// Where the next pull of keys from `peer` starts (0 before the first).
    public func cursor(peer: String) throws -> Int64 {
        try queue.read { db in try Int64.fetchOne(db, sql: "SELECT after FROM key_cursor WHERE peer = ?", arguments: [peer]) } ?? 0
    }

    /// Up to `limit` keys past position `after`, in the order the store received them: what a
    /// peer pulls. Keys not yet durable are not included.
    public func page(after: Int64, limit: Int) throws -> SubjectKeyExchange.Page {
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, subject, wrapped FROM subject_key_ring WHERE seq > ? ORDER BY seq LIMIT ?",
                             arguments: [after, limit + 1])
        }
        var items: [SubjectKeyExchange.Item] = []
        for row in rows.prefix(limit) {
            let subject = try SubjectID(row["subject"] as String)
            items.append(.init(subject: subject, key: try unwrap(row["wrapped"], subject: subject)))
        }
        return SubjectKeyExchange.Page(items: items, next: rows.prefix(limit).last?["seq"] ?? after, more: rows.count > limit)
    }

    /// How many subjects have a key here, how many keys there are, and how many subjects were erased.
    public func counts() throws -> (subjects: Int, keys: Int, erased: Int) {
        try queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(DISTINCT subject) FROM subject_key_ring") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM subject_key_ring") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM subject_erased") ?? 0)
        }
    }

    // MARK: Wrapping

    /// A key's id in the ring: the first 16 bytes of SHA-256 over a label and the key (tells two
    /// keys apart without storing either in the clear).
    static func keyID(_ key: SubjectKey) -> [UInt8] {
        Array(SHA256.hash(data: Array("muster subject key id\n".utf8) + key.rawBytes).prefix(16))
    }

    private func wrap(_ key: SubjectKey, subject: SubjectID) throws -> Data {
        try Self.wrap(key, subject: subject, kek: kek)
    }

    private static func wrap(_ key: SubjectKey, subject: SubjectID, kek: SymmetricKey) throws -> Data {
        let box = try AES.GCM.seal(key.rawBytes, using: kek, nonce: SecureRandom.gcmNonce(), authenticating: Array(subject.text.utf8))
        guard let combined = box.combined else { throw StoreError(.corrupt, "could not wrap a subject key") }
        return combined
    }

    private func unwrap(_ wrapped: Data?, subject: SubjectID) throws -> SubjectKey {
        try Self.unwrap(wrapped, subject: subject, kek: kek)
    }

    private static func unwrap(_ wrapped: Data?, subject: SubjectID, kek: SymmetricKey) throws -> SubjectKey {
        guard let wrapped, let box = try? AES.GCM.SealedBox(combined: wrapped),
              let raw = try? AES.GCM.open(box, using: kek, authenticating: Array(subject.text.utf8)) else {
            throw StoreError(.keyFile, "the key of subject \(subject) does not unwrap with this hub's key-store key")
        }
        return try SubjectKey(rawBytes: Array(raw))
    }
}
