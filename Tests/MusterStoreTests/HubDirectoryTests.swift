import Foundation
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
