import Crypto
import Foundation
import GRDB
import MusterCore
import MusterStore
import MusterTesting
import Testing

@Suite struct HubDirectoryTests {
    @Test func aSecondWriterIsRefusedUntilTheFirstCloses() throws {
        let t = try TestHub()
        #expect(throws: StoreError(.locked, "")) { _ = try Hub(directory: t.directory) }
        _ = try Hub(directory: t.directory, writable: false)  // readers do not need the lock
    }

    @Test func keyFilesAreOwnerOnlyAndLooseModesAreRefused() throws {
        let temp = try TemporaryDirectory()
        let dir = DataDirectory(path: temp.path("hub"))
        _ = try Hub.create(directory: dir, origin: "test.example.org/hub/keys")
        for name in ["log.key", "keystore.key", "blind-index.key"] {
            let mode = try FileManager.default.attributesOfItem(atPath: temp.path("hub/\(name)"))[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: temp.path("hub/log.key"))
        #expect(throws: StoreError(.keyFile, "")) { _ = try Hub(directory: dir) }
    }

    @Test func missingOrForeignDirectoriesAreExplained() throws {
        let temp = try TemporaryDirectory()
        #expect(throws: StoreError(.dataDirectory, "")) { _ = try Hub(directory: DataDirectory(path: temp.path("none"))) }
        try Data("x".utf8).write(to: temp.url.appendingPathComponent("occupied"))
        #expect(throws: StoreError(.dataDirectory, "")) { _ = try Hub.create(directory: DataDirectory(path: temp.url.path), origin: "o") }
        #expect(throws: StoreError(.invalidRequest, "")) {
            _ = try Hub.create(directory: DataDirectory(path: temp.path("new")), origin: "has space")
        }
    }

    @Test func subjectKeysPersistAndErasureIsPermanent() async throws {
        let temp = try TemporaryDirectory()
        let dir = DataDirectory(path: temp.path("hub"))
        let drafts = TestHub.drafts(members: 5)
        guard let joined = drafts.first(where: { $0.type == MemberJoined.schema.type }), let subject = joined.subject else {
            Issue.record("no member.joined in the fixture"); return
        }
        do {
            let hub = try Hub.create(directory: dir, origin: "test.example.org/hub/erase")
            _ = try await hub.record(joined)
        }
        do {
            let hub = try Hub(directory: dir)
            guard case .active(let key) = try hub.keys.lookup(subject) else { Issue.record("key lost on reopen"); return }
            let entry = try #require(try hub.store.entry(id: joined.id!)).entry
            let personal = try #require(entry.envelope.sealed).open(key: key, origin: hub.origin, id: entry.envelope.id)
            #expect(personal == joined.personal)
            _ = try await hub.record(try EntryDraft(SubjectErased(requestedOn: try CalendarDate("2026-01-01"), basis: "gdpr-art17"),
                                                    subject: subject, operatorID: "op"))
        }
        let hub = try Hub(directory: dir)
        guard case .erased = try hub.keys.lookup(subject) else { Issue.record("erasure did not survive a reopen"); return }
        await #expect(throws: CoreError.self) { _ = try await hub.record(joined) }
        #expect(try await hub.verify().ok)
    }
}

@Suite struct SubjectKeyPrefetchTests {
    @Test func prefetchAgreesWithSingleLookups() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path("keys.sqlite"), kek = [UInt8](repeating: 3, count: 32)
        let kept = SubjectID.generate(), erased = SubjectID.generate(), fresh = SubjectID.generate()
        let original: SubjectKey
        do {
            let store = try FileSubjectKeyStore(path: path, kek: kek)
            original = try store.keyForSealing(kept)
            _ = try store.keyForSealing(erased)
            try store.flushPending()
            try store.destroy(erased)
        }
        let store = try FileSubjectKeyStore(path: path, kek: kek)
        try store.prefetch([kept, erased, fresh])
        guard case .active(let key) = try store.lookup(kept) else { Issue.record("kept key not found"); return }
        #expect(key.rawBytes == original.rawBytes)
        guard case .erased = try store.lookup(erased) else { Issue.record("erasure forgotten"); return }
        #expect(throws: CoreError.self) { _ = try store.keyForSealing(erased) }
        guard case .unknown = try store.lookup(fresh) else { Issue.record("fresh subject must be unknown"); return }
        let made = try store.keyForSealing(fresh)
        guard case .active(let again) = try store.lookup(fresh) else { Issue.record("new key not visible"); return }
        #expect(again.rawBytes == made.rawBytes)
        #expect(throws: StoreError.self) { _ = try FileSubjectKeyStore(path: path, kek: [UInt8](repeating: 4, count: 32)).lookup(kept) }
    }
}

/// Flushes started early on other threads (a group commit's batch starts one while it seals).
@Suite struct SubjectKeyFlushTests {
    /// Rows the key file holds (for `subject`, if given), read by SQL, not through a store's cache.
    static func rows(_ path: String, _ subject: SubjectID? = nil) throws -> Int {
        try DatabaseQueue(path: path).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM subject_key_ring WHERE ?1 IS NULL OR subject = ?1",
                             arguments: [subject?.text]) ?? 0
        }
    }

    @Test func keysMadeWhileFlushesRunAllLandOnce() async throws {
        let temp = try TemporaryDirectory()
        let path = temp.path("keys.sqlite"), kek = [UInt8](repeating: 6, count: 32)
        let store = try FileSubjectKeyStore(path: path, kek: kek)
        let subjects = (0..<800).map { _ in SubjectID.generate() }
        // Eight threads make keys a few at a time, each starting a flush or flushing itself.
        await withTaskGroup(of: Void.self) { group in
            for part in 0..<8 {
                group.addTask {
                    for (i, chunk) in stride(from: part * 100, to: part * 100 + 100, by: 7).enumerated() {
                        store.makeKeys(for: subjects[chunk..<min(part * 100 + 100, chunk + 7)])
                        if i % 2 == 0 { store.startFlush() } else { try? store.flushPending() }
                    }
                }
            }
        }
        let made = try subjects.map { try store.keyForSealing($0).rawBytes }
        try store.flushPending()
        let reopened = try FileSubjectKeyStore(path: path, kek: kek)
        for (subject, key) in zip(subjects, made) {
            guard case .active(let held) = try reopened.lookup(subject) else { Issue.record("key of \(subject) not on disk"); return }
            #expect(held.rawBytes == key)
        }
        #expect(try Self.rows(path) == subjects.count)
    }

    @Test func anErasureDuringAnEarlyFlushLeavesNoKey() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path("keys.sqlite")
        let store = try FileSubjectKeyStore(path: path, kek: [UInt8](repeating: 7, count: 32))
        for _ in 0..<100 {
            let subject = SubjectID.generate()
            store.makeKeys(for: [subject])
            store.startFlush()
            try store.destroy(subject)
            try store.flushPending()
            #expect(try Self.rows(path, subject) == 0)
            guard case .erased = try store.lookup(subject) else { Issue.record("erasure forgotten"); return }
        }
    }
}

/// The key ring: keys from other hubs, more than one key per subject, pages by position, and
/// the move from the first on-disk form (one key per subject).
@Suite struct SubjectKeyRingTests {
    let temp: TemporaryDirectory
    let path: String
    let kek = [UInt8](repeating: 5, count: 32)

    init() throws {
        temp = try TemporaryDirectory()
        path = temp.path("keys.sqlite")
    }

    func item(_ subject: SubjectID, _ byte: UInt8) throws -> SubjectKeyExchange.Item {
        SubjectKeyExchange.Item(subject: subject, key: try SubjectKey(rawBytes: Array(repeating: byte, count: 32)))
    }

    @Test func keysFromPeersJoinTheRingAndSealedDataOpensUnderEither() throws {
        let store = try FileSubjectKeyStore(path: path, kek: kek)
        let ours = SubjectID.generate(), theirs = SubjectID.generate(), erased = SubjectID.generate()
        let own = try store.keyForSealing(ours)
        try store.flushPending()
        _ = try store.keyForSealing(erased)
        try store.flushPending()
        try store.destroy(erased)

        let other = try item(ours, 9), new = try item(theirs, 10)
        #expect(try store.install([other, new, try item(erased, 11)], from: "hub/b", after: 40) == 2)
        #expect(try store.install([other, new], from: "hub/b", after: 41) == 0, "a key already held is not added twice")
        #expect(try store.cursor(peer: "hub/b") == 41 && store.cursor(peer: "hub/c") == 0)
        // The subject's first key still seals; both open.
        #expect(try store.keyForSealing(ours).rawBytes == own.rawBytes)
        #expect(try store.allKeys(ours).map(\.rawBytes) == [own.rawBytes, other.key.rawBytes])
        let id = EventID.generate(unixMillis: 1_790_000_000_000), origin = "kx.test/hub/b"
        let sealedThere = try SealedPayload.seal(.object(["name": .string("Ada")]), key: other.key, origin: origin, id: id)
        guard case .fields(let fields) = try store.reveal(sealedThere, subject: ours, origin: origin, id: id) else {
            Issue.record("a payload sealed under the subject's other key does not open"); return
        }
        #expect(fields["name"] == .string("Ada"))
        guard case .active(let received) = try store.lookup(theirs) else { Issue.record("a received key is not found"); return }
        #expect(received.rawBytes == new.key.rawBytes)
        // An erased subject's key never comes back, whoever sends it.
        guard case .erased = try store.lookup(erased) else { Issue.record("erasure undone by a peer's key"); return }
        #expect(try store.allKeys(erased).isEmpty)
        let stranger = try SealedPayload.seal(.object(["name": .string("Bob")]), key: SubjectKey.generate(), origin: origin, id: id)
        guard case .unopenable(keys: 2) = try store.reveal(stranger, subject: ours, origin: origin, id: id) else {
            Issue.record("a payload under an unknown key must say none of the keys opens it"); return
        }
    }

    @Test func aDestroyedKeyLeavesNoBytesInTheStoreOrItsWriteAheadLog() throws {
        let store = try FileSubjectKeyStore(path: path, kek: kek)
        let subject = SubjectID.generate(), kept = SubjectID.generate()
        for s in [subject, kept] { _ = try store.keyForSealing(s); try store.flushPending() }
        let wrapped = try DatabaseQueue(path: path).read { db in
            try Data.fetchOne(db, sql: "SELECT wrapped FROM subject_key_ring WHERE subject = ?", arguments: [subject.text])
        }
        let needle = try #require(wrapped)
        func onDisk() throws -> Bool {
            try [path, path + "-wal"].contains { file in
                guard FileManager.default.fileExists(atPath: file) else { return false }
                return try Data(contentsOf: URL(fileURLWithPath: file)).range(of: needle) != nil
            }
        }
        #expect(try onDisk(), "the test looks for the wrong bytes")
        try store.destroy(subject)
        #expect(try !onDisk(), "an erased subject's wrapped key is still on disk")
        guard case .active = try store.lookup(kept) else { Issue.record("another subject's key went with it"); return }
    }

    @Test func pagesFollowTheOrderKeysArrivedAndSkipErasedSubjects() throws {
        let store = try FileSubjectKeyStore(path: path, kek: kek)
        let subjects = (0..<7).map { _ in SubjectID.generate() }
        for s in subjects { _ = try store.keyForSealing(s); try store.flushPending() }
        try store.destroy(subjects[2])
        var seen: [SubjectID] = [], after: Int64 = 0, pages = 0
        while true {
            let page = try store.page(after: after, limit: 2)
            seen += page.items.map(\.subject)
            pages += 1
            #expect(page.next > after)
            after = page.next
            if !page.more { break }
        }
        #expect(seen == subjects.enumerated().filter { $0.offset != 2 }.map(\.element))
        #expect(pages == 3)
        // Past the end: nothing, and the cursor stays put.
        let end = try store.page(after: after, limit: 2)
        #expect(end.items.isEmpty && !end.more)
        // A new key gets a later position than every earlier one, even after the last was erased.
        try store.destroy(subjects[6])
        let late = SubjectID.generate()
        _ = try store.keyForSealing(late)
        try store.flushPending()
        #expect(try store.page(after: end.next, limit: 10).items.map(\.subject) == [late])
        #expect(try store.counts() == (subjects: 6, keys: 6, erased: 2))
    }

    @Test func aStoreInTheFirstFormMovesToTheRing() throws {
        let kept = SubjectID.generate(), erased = SubjectID.generate()
        let key = SubjectKey.generate()
        do {
            let db = try DatabaseQueue(path: path)
            try db.write { db in
                try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v1-subject-keys')")
                try db.execute(sql: "CREATE TABLE subject_key (subject TEXT PRIMARY KEY, wrapped BLOB, erased INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID")
                let box = try AES.GCM.seal(key.rawBytes, using: SymmetricKey(data: kek), authenticating: Array(kept.text.utf8))
                try db.execute(sql: "INSERT INTO subject_key VALUES (?, ?, 0), (?, NULL, 1)", arguments: [kept.text, box.combined!, erased.text])
            }
        }
        let store = try FileSubjectKeyStore(path: path, kek: kek)
        guard case .active(let found) = try store.lookup(kept) else { Issue.record("a key of the first form was lost"); return }
        #expect(found.rawBytes == key.rawBytes)
        guard case .erased = try store.lookup(erased) else { Issue.record("an erasure of the first form was lost"); return }
        #expect(try store.page(after: 0, limit: 10).items.map(\.subject) == [kept])
    }
}
