import Foundation
import MusterCore
import MusterDemo
import Testing

/// Sealed payloads: no personal value in the clear, bound to their entry, gone after erasure.
@Suite struct EntrySealingTests {
    static let log = EntryFixtures.small

    static func open(_ entry: Entry, keys: any SubjectKeyStore) throws -> JSONValue {
        let sealed = try #require(entry.envelope.sealed)
        guard case .active(let key) = try keys.lookup(try #require(entry.envelope.subject)) else {
            throw CoreError(.subjectKeyUnavailable, "no key")
        }
        return try sealed.open(key: key, origin: entry.envelope.origin, id: entry.envelope.id)
    }

    @Test func noPlaintextPersonalValueAppearsInAnyEntry() throws {
        #expect(try PersonalDataCheck.leaks(in: Self.log.entries, keys: Self.log.keys).isEmpty)
        var sealedCount = 0, valuesChecked = 0
        for (entry, event) in zip(Self.log.entries, Self.log.movement.events) {
            let personal = event.draft.personal?.objectValue ?? [:]
            #expect(personal.isEmpty == (entry.envelope.sealed == nil), "\(entry.envelope.type)")
            guard !personal.isEmpty else { continue }
            sealedCount += 1
            #expect(try Self.open(entry, keys: Self.log.keys) == event.draft.personal, "sealed plaintext round trip")
            for (field, value) in personal {
                let text = try #require(value.stringValue)
                valuesChecked += 1
                let haystack = String(decoding: entry.bytes, as: UTF8.self)
                #expect(!haystack.contains(text), "\(entry.envelope.type) seq \(entry.envelope.seq) leaks \(field)")
                #expect(!haystack.lowercased().contains(text.lowercased()), "\(field) leaks case-insensitively")
            }
        }
        #expect(sealedCount > 60 && valuesChecked > 200)
    }

    @Test func personalDataCheckFindsAPlantedLeak() throws {
        // A donor name that is also a valid slug, copied into the clear accountingUnit field.
        let keys = InMemorySubjectKeyStore()
        let draft = try EntryDraft(
            DonationReceived(amount: .gbp(pence: 100), receivedOn: CalendarDate("2025-01-02"), method: "cash",
                             donorKind: "individual", accountingUnit: "janedoe-branch"),
            personal: .init(donorName: "janedoe-branch"), subject: SubjectID.generate(), operatorID: "op-treasurer")
        let entry = try PreparedEntry(draft, origin: EntryFixtures.origin, keys: keys)
            .assemble(seq: 1, recordedAt: Timestamp(unixMillis: 0), hlc: HLCStamp(wallMillis: 0, counter: 0))
        #expect(try PersonalDataCheck.leaks(in: [entry], keys: keys).count == 1)
    }

    /// Read from an entry's bytes, a sealed payload is held as its checked base64 and decoded when
    /// asked: it is the payload that was sealed, opens as it does, and gives back the same JSON.
    @Test func aSealedPayloadReadFromBytesIsTheOneSealed() throws {
        var read = 0
        for entry in Self.log.entries {
            guard let sealed = entry.envelope.sealed else { continue }
            for decoded in [try Entry.decode(stored: entry.bytes), try Entry.decode(entry.bytes)] {
                let fromBytes = try #require(decoded.envelope.sealed)
                #expect(fromBytes == sealed && fromBytes.hashValue == sealed.hashValue)
                #expect(fromBytes.nonce == sealed.nonce && fromBytes.nonce.count == 12)
                #expect(fromBytes.ciphertext == sealed.ciphertext)
                #expect(fromBytes.json == sealed.json)
                #expect(try Self.open(decoded, keys: Self.log.keys) == (try Self.open(entry, keys: Self.log.keys)))
            }
            read += 1
        }
        #expect(read > 60)
        // What the checks refuse when the payload is read, not later when it is opened.
        let entry = try #require(Self.log.entries.first { $0.envelope.sealed != nil })
        func reason(_ member: String, _ value: String) -> String? {
            let json = EntryFixtures.setting(EntryFixtures.json(entry), ["sealed", member], to: .string(value))
            let bytes = try! CanonicalJSON.encode(json)
            do { _ = try Entry.decode(stored: bytes); return nil } catch { return error.reason }
        }
        #expect(reason("nonce", "AAAAAAAAAAAA") == "sealed.nonce must be 12 bytes, found 9")
        #expect(reason("ct", "AAAAAAAAAAAAAAAA") == "sealed.ct is shorter than the 16-byte tag")
        #expect(reason("ct", "QR==") == "sealed.ct must be canonical standard base64")
        #expect(reason("alg", "A128GCM") == "sealed.alg must be \"A256GCM\"")
    }

    @Test func openingWithAnotherKeyFails() throws {
        let entry = try #require(Self.log.entries.first { $0.envelope.sealed != nil })
        let sealed = try #require(entry.envelope.sealed)
        #expect(throws: CoreError(.sealing, "")) {
            try sealed.open(key: SubjectKey.generate(), origin: entry.envelope.origin, id: entry.envelope.id)
        }
    }

    @Test func sealedPayloadIsBoundToItsOriginAndID() throws {
        let entries = Self.log.entries.filter { $0.envelope.sealed != nil }
        let a = entries[0], b = try #require(entries.first { $0.envelope.subject == a.envelope.subject && $0.envelope.id != a.envelope.id }
                                              ?? entries.dropFirst().first)
        let subject = try #require(a.envelope.subject)
        guard case .active(let key) = Self.log.keys.lookup(subject) else { Issue.record("no key"); return }
        let sealed = try #require(a.envelope.sealed)
        #expect(throws: CoreError.self) { try sealed.open(key: key, origin: a.envelope.origin, id: b.envelope.id) }
        #expect(throws: CoreError.self) { try sealed.open(key: key, origin: "muster.example.org/hub/surrey", id: a.envelope.id) }
        #expect(throws: CoreError.self) { try sealed.open(key: key, origin: a.envelope.origin + "\n", id: a.envelope.id) }
        // Moved into another entry of the log, it still decodes (ciphertext only) but no longer opens.
        var moved = b.envelope
        moved.sealed = sealed
        moved.subject = subject
        let movedEntry = try Entry.encode(moved)
        #expect(throws: CoreError.self) { try Self.open(movedEntry, keys: Self.log.keys) }
        #expect(try sealed.open(key: key, origin: a.envelope.origin, id: a.envelope.id)["name"] != nil)
    }

    @Test func flippingAnyCiphertextOrNonceByteFails() throws {
        let entry = try #require(Self.log.entries.first { $0.envelope.type == "member.joined" })
        let sealed = try #require(entry.envelope.sealed)
        guard case .active(let key) = Self.log.keys.lookup(entry.envelope.subject!) else { Issue.record("no key"); return }
        for i in stride(from: 0, to: sealed.ciphertext.count, by: 7) + [sealed.ciphertext.count - 1] {
            var ct = sealed.ciphertext
            ct[i] ^= 0x01
            let altered = try SealedPayload(nonce: sealed.nonce, ciphertext: ct)
            #expect(throws: CoreError.self, "byte \(i)") { try altered.open(key: key, origin: entry.envelope.origin, id: entry.envelope.id) }
        }
        var nonce = sealed.nonce
        nonce[0] ^= 0x80
        let altered = try SealedPayload(nonce: nonce, ciphertext: sealed.ciphertext)
        #expect(throws: CoreError.self) { try altered.open(key: key, origin: entry.envelope.origin, id: entry.envelope.id) }
    }

    @Test func erasureDestroysTheKeyButTheLogStillDecodes() throws {
        let log = EntryFixtures.assemble(SyntheticMovement(.init(members: 12, seed: 77)))
        let subject = try #require(log.entries.first { $0.envelope.sealed != nil }?.envelope.subject)
        guard case .active = log.keys.lookup(subject) else { Issue.record("expected an active key"); return }
        log.keys.destroy(subject)
        guard case .erased = log.keys.lookup(subject) else { Issue.record("expected .erased"); return }
        #expect(throws: CoreError(.subjectKeyUnavailable, "")) { try log.keys.keyForSealing(subject) }
        log.keys.install(SubjectKey.generate(), for: subject)
        guard case .erased = log.keys.lookup(subject) else { Issue.record("an erased key came back via install"); return }
        for entry in log.entries {
            let decoded = try Entry.decode(entry.bytes)
            #expect(decoded == entry)
            if decoded.envelope.subject == subject, decoded.envelope.sealed != nil {
                #expect(throws: CoreError.self) { try Self.open(decoded, keys: log.keys) }
            }
        }
        #expect(try PersonalDataCheck.leaks(in: log.entries, keys: log.keys).isEmpty)
        // New personal data for the erased subject cannot be recorded.
        let draft = try EntryDraft(MemberDetailsChanged(), personal: .init(name: "Back Again"), subject: subject, operatorID: "op-ben")
        #expect(throws: CoreError.self) { try PreparedEntry(draft, origin: EntryFixtures.origin, keys: log.keys) }
    }

    @Test func unknownSubjectLooksUpAsUnknownAndGetsAKeyOnce() throws {
        let store = InMemorySubjectKeyStore()
        let s = SubjectID.generate()
        guard case .unknown = store.lookup(s) else { Issue.record("expected .unknown"); return }
        let k1 = try store.keyForSealing(s), k2 = try store.keyForSealing(s)
        #expect(k1.rawBytes == k2.rawBytes && k1.rawBytes.count == 32)
        #expect(throws: CoreError.self) { try SubjectKey(rawBytes: Array(repeating: 1, count: 16)) }
    }
}
