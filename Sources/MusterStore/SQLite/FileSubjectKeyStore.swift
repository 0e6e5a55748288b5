import Crypto
import Foundation
import GRDB
public import MusterCore
import Synchronization

/// Subjects' data keys on disk: their own SQLite file, each key wrapped (AES-256-GCM) under the
/// hub's key-encryption key, which is kept in a file beside the log key — never in the database.
///
/// New keys are held in memory until ``flushPending()`` writes them durably; the hub flushes before
/// it commits any entry sealed under them, so no entry is ever durable without its key.
public final class FileSubjectKeyStore: SubjectKeyStore {
    private let queue: DatabasePool
    private let kek: SymmetricKey
    private struct State {
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

    /// Opens (creating) the key store at `path` under the key-encryption key `kek` (32 bytes).
    public init(path: String, kek: [UInt8]) throws {
        guard kek.count == 32 else { throw StoreError(.keyFile, "the key-store key must be 32 bytes, found \(kek.count)") }
        self.kek = SymmetricKey(data: kek)
        queue = try DatabasePool.durable(path: path, configuration: Configuration())
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-subject-keys") { db in
            try db.execute(sql: """
                CREATE TABLE subject_key (subject TEXT PRIMARY KEY, wrapped BLOB, erased INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID
                """)
        }
        try migrator.migrate(queue)
        let erased = try queue.read { db in try String.fetchAll(db, sql: "SELECT subject FROM subject_key WHERE erased = 1") }
        state.withLock { $0.erased = Set(erased.compactMap { try? SubjectID($0) }) }
    }

    public func lookup(_ subject: SubjectID) throws -> SubjectKeyLookup {
        if let found = state.withLock({ s -> SubjectKeyLookup? in
            if s.erased.contains(subject) { return .erased }
            if let key = s.cache[subject] ?? s.pending[subject] { return .active(key) }
            return s.absent.contains(subject) ? .unknown : nil
        }) { return found }
        guard let row = try queue.read({ db in
            try Row.fetchOne(db, sql: "SELECT wrapped, erased FROM subject_key WHERE subject = ?", arguments: [subject.text])
        }) else { return .unknown }
        if (row["erased"] as Int64) != 0 { return .erased }
        let key = try unwrap(row["wrapped"], subject: subject)
        state.withLock { $0.remember(key, for: subject) }
        return .active(key)
    }

    public func keyForSealing(_ subject: SubjectID) throws -> SubjectKey {
        switch try lookup(subject) {
        case .active(let key): return key
        case .erased:
            throw CoreError(.subjectKeyUnavailable, "subject \(subject) was erased; personal data cannot be recorded for them again")
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
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT subject, wrapped, erased FROM subject_key WHERE subject IN (SELECT value FROM json_each(?))",
                             arguments: [String(decoding: try JSONSerialization.data(withJSONObject: wanted.map(\.text)), as: UTF8.self)])
        }
        var found: [SubjectID: SubjectKey] = [:], erased: [SubjectID] = []
        for row in rows {
            guard let subject = try? SubjectID(row["subject"] as String) else { continue }
            if (row["erased"] as Int64) != 0 { erased.append(subject) } else { found[subject] = try unwrap(row["wrapped"], subject: subject) }
        }
        state.withLock { s in
            if s.absent.count > 100_000 { s.absent.removeAll() }
            for subject in wanted where found[subject] == nil && !erased.contains(subject) { s.absent.insert(subject) }
            for (subject, key) in found { s.remember(key, for: subject) }
            s.erased.formUnion(erased)
        }
    }

    /// Writes keys created since the last flush, in one durable transaction.
    public func flushPending() throws {
        let pending = state.withLock { $0.pending }
        guard !pending.isEmpty else { return }
        try queue.write { db in
            let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO subject_key(subject, wrapped) VALUES (?, ?)")
            for (subject, key) in pending {
                try insert.execute(arguments: [subject.text, try wrap(key, subject: subject)])
            }
        }
        state.withLock { s in
            for (subject, key) in pending {
                s.pending[subject] = nil
                s.remember(key, for: subject)
            }
        }
    }

    public func destroy(_ subject: SubjectID) throws {
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO subject_key(subject, wrapped, erased) VALUES (?, NULL, 1)
                ON CONFLICT(subject) DO UPDATE SET wrapped = NULL, erased = 1
                """, arguments: [subject.text])
        }
        state.withLock { s in
            s.cache[subject] = nil
            s.pending[subject] = nil
            s.absent.remove(subject)
            s.erased.insert(subject)
        }
    }

    private func wrap(_ key: SubjectKey, subject: SubjectID) throws -> Data {
        let box = try AES.GCM.seal(key.rawBytes, using: kek, authenticating: Array(subject.text.utf8))
        guard let combined = box.combined else { throw StoreError(.corrupt, "could not wrap a subject key") }
        return combined
    }

    private func unwrap(_ wrapped: Data?, subject: SubjectID) throws -> SubjectKey {
        guard let wrapped, let box = try? AES.GCM.SealedBox(combined: wrapped),
              let raw = try? AES.GCM.open(box, using: kek, authenticating: Array(subject.text.utf8)) else {
            throw StoreError(.keyFile, "the key of subject \(subject) does not unwrap with this hub's key-store key")
        }
        return try SubjectKey(rawBytes: Array(raw))
    }
}
