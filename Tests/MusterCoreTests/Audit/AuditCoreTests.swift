import Foundation
import MusterCore
import MusterDemo
import MusterTesting
import Testing

/// The audit's pure parts against known answers: tessera's tlog-tiles log (tiles and checkpoint
/// roots recomputed as an auditor streams the leaves), the bundle layout, ids, and the
/// movement-wide checks on real entries.
@Suite struct AuditCoreTests {
    static let log = MerkleTesseraLogTests.log

    @Test func streamingTheTesseraLogGivesItsTilesAndCheckpointRoots() throws {
        let verifier = try NoteVerifier(vkey: try NoteVectors.tesseraKey("LOG_PUBLIC_KEY"))
        let leaves = try MerkleTesseraLogTests.allEntries().map { MerkleHash.leafHash($0) }
        var points: [CheckpointHistory.Point] = []
        for size in 0...leaves.count {
            let note = try NoteVectors.text("\(Self.log)/checkpoint.\(size)")
            points.append(try CheckpointHistory.open(note, origin: verifier.name, verifier: verifier).get())
        }
        let (history, problems) = CheckpointHistory.points(points.map { .success($0) }, origin: verifier.name)
        #expect(problems == [] && history.count == 16)
        var audit = OriginAudit(origin: verifier.name, checkpoints: history)
        for leaf in leaves { audit.append(leaf) }
        audit.finish()
        #expect(audit.findings == [])

        // The tiles a tree of each size has, as the exporter writes them, are tessera's files.
        for size in 1...leaves.count {
            var tree = OriginAudit(origin: verifier.name, checkpoints: [])
            for leaf in leaves.prefix(size) { tree.append(leaf) }
            let tiles = tree.drainTiles(final: true)
            #expect(tiles.map(\.tile) == TlogTile.tiles(treeSize: UInt64(size)))
            for (tile, hashes) in tiles {
                #expect(hashes.flatMap(\.bytes) == (try MerkleTesseraLogTests.bytes(tile.path)), "\(tile.path)")
            }
        }
    }

    @Test func aCheckpointThatIsNotTheEntriesRootOrPastThemIsFound() throws {
        let signer = try NoteSigner.generate(name: "x.example.org/log")
        let leaves = (0..<700).map { MerkleHash.leafHash(Array("entry \($0)".utf8)) }
        func note(_ size: Int, root: MerkleHash? = nil) throws -> String {
            let r = root ?? MerkleTree(leafHashes: leaves.prefix(size)).rootHash
            return try SignedCheckpoint.sign(Checkpoint(origin: signer.name, size: UInt64(size), rootHash: r.bytes), with: signer).formatted
        }
        let notes = [try note(10), try note(300, root: leaves[0]), try note(300), try note(700), try note(701, root: leaves[1])]
        let opened = notes.map { CheckpointHistory.open($0, origin: signer.name, verifier: signer.verifier) }
        let (points, problems) = CheckpointHistory.points(opened, origin: signer.name)
        #expect(problems.map(\.seq) == [300])
        #expect(problems.first?.message.contains("different roots") == true)
        // A note signed by another key, or about another log, is refused before its root is looked at.
        let stranger = try NoteSigner.generate(name: signer.name)
        let foreign = try SignedCheckpoint.sign(Checkpoint(origin: signer.name, size: 1, rootHash: leaves[0].bytes), with: stranger).formatted
        guard case .failure(let f) = CheckpointHistory.open(foreign, origin: signer.name, verifier: signer.verifier) else {
            Issue.record("a stranger's checkpoint opened"); return
        }
        #expect(f.message.contains("is not signed by"))

        var audit = OriginAudit(origin: signer.name, checkpoints: points)
        for leaf in leaves { audit.append(leaf) }
        audit.finish()
        #expect(audit.findings.map(\.seq) == [300, 701])
        #expect(audit.findings[0].message.contains("its root is not the root of the entries"))
        #expect(audit.findings[1].message.contains("larger than the 700 entries held"))
    }

    @Test func originsMapToOneSafeFolderEach() {
        #expect(AuditBundle.logPath(origin: "muster.example.org/hub/sheffield") == "logs/muster.example.org%2Fhub%2Fsheffield")
        #expect(AuditBundle.logPath(origin: "..") == "logs/%2E.")
        #expect(AuditBundle.logPath(origin: "a~b:c%d") == "logs/a%7Eb%3Ac%25d")
        #expect(AuditBundle.logPath(origin: "Hub_1-x.y") == "logs/Hub_1-x.y")
    }

    @Test func aManifestReadsBackAndRefusesWhatItMustNot() throws {
        let manifest = AuditBundle.Manifest(
            movement: "m.example.org", exportedBy: "b.example.org/hub", exportedAt: Timestamp(unixMillis: 1_795_000_000_000),
            logs: [.init(origin: "b.example.org/hub", size: 300, checkpoints: 2, frozen: false),
                   .init(origin: "a.example.org/hub", size: 7, checkpoints: 1, frozen: true)],
            evidence: ["evidence/ab.json"])
        let bytes = try CanonicalJSON.encode(manifest.json)
        #expect(try AuditBundle.Manifest(bytes: bytes) == manifest)
        #expect(manifest.logs.map(\.origin) == ["a.example.org/hub", "b.example.org/hub"])
        func refused(_ edit: (inout JSONValue) -> Void) -> Bool {
            var json = manifest.json
            edit(&json)
            return (try? AuditBundle.Manifest(bytes: CanonicalJSON.encode(json))) == nil
        }
        func setLog(_ json: inout JSONValue, _ key: String, _ value: JSONValue) {
            guard case .object(var o) = json, case .array(var logs)? = o["logs"], case .object(var first) = logs[0] else { return }
            first[key] = value
            logs[0] = .object(first)
            o["logs"] = .array(logs)
            json = .object(o)
        }
        #expect(refused { setLog(&$0, "path", .string("logs/../../etc")) })
        #expect(refused { setLog(&$0, "origin", .string("b.example.org/hub")) })
        #expect(refused { if case .object(var o) = $0 { o["evidence"] = .array([.string("evidence/../x.json")]); $0 = .object(o) } })
        #expect(refused { if case .object(var o) = $0 { o["version"] = .number(2); $0 = .object(o) } })
        #expect((try? AuditBundle.Manifest(bytes: Array(" ".utf8) + bytes)) == nil)
        #expect(try AuditBundle.historyNotes(AuditBundle.historyLine("a\nb\n") + AuditBundle.historyLine("c\n")) == ["a\nb\n", "c\n"])
    }

    @Test func idKeysRoundTripOnlyCanonicalUUIDs() {
        let text = "01943da2-23be-7c35-8c77-aa1fd66bedfd"
        #expect(IDKey(text)?.description == text)
        #expect(IDKey(text.uppercased()) == nil)
        #expect(IDKey(String(text.dropLast())) == nil)
        #expect(IDKey(text.replacingOccurrences(of: "-", with: "x")) == nil)
        #expect(IDKey("00000000-0000-0000-0000-000000000001")! < IDKey("00000000-0000-0000-0000-000000000002")!)
    }

    /// The key's two words are the UUID's 16 bytes as Foundation reads them, for random ids and for
    /// every hex digit in every position; anything else at any position is refused.
    @Test func idKeysAreTheUUIDsBytes() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let uuid = UUID()
            let text = uuid.uuidString.lowercased()
            let key = try #require(IDKey(text))
            let bytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
            #expect(key.high == bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) })
            #expect(key.low == bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) })
            var mutated = Array(text.utf8)
            let at = Int.random(in: 0..<36, using: &rng)
            for byte in UInt8(0)...UInt8(255) {
                mutated[at] = byte
                let isHex = (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
                let shouldParse = [8, 13, 18, 23].contains(at) ? byte == 0x2D : isHex
                #expect((IDKey(String(decoding: mutated, as: UTF8.self)) != nil) == shouldParse, "byte \(byte) at \(at)")
            }
        }
        // Keys whose halves xor to one value (the shape a weak hash would collide on) stay distinct.
        func text(_ high: UInt64, _ low: UInt64) -> String {
            let h = String(format: "%016llx", high), l = String(format: "%016llx", low)
            return "\(h.prefix(8))-\(h.dropFirst(8).prefix(4))-\(h.suffix(4))-\(l.prefix(4))-\(l.suffix(12))"
        }
        let keys = try (0..<10_000).map { i in try #require(IDKey(text(UInt64(i), UInt64(i)))) }
        #expect(keys[7].high == 7 && keys[7].low == 7)
        let set = Set(keys)
        #expect(set.count == keys.count)
        #expect(keys.allSatisfy { set.contains($0) })
    }

    /// Ids unique across logs, references to the right kind of entry, a void of itself.
    @Test func theMovementWideChecksFindWhatIsWrong() throws {
        let keys = InMemorySubjectKeyStore()
        var seq: UInt64 = 0
        func entry(_ draft: EntryDraft, id: EventID? = nil) throws -> Entry {
            seq += 1
            return try PreparedEntry(draft, origin: "a.example.org/hub", id: id, keys: keys)
                .assemble(seq: seq, recordedAt: Timestamp(unixMillis: 1_795_000_000_000), hlc: HLCStamp(wallMillis: 1_795_000_000_000, counter: Int64(seq)))
        }
        let drafts = SyntheticMovement(.init(members: 20, seed: 5)).events.map(\.draft)
        let donation = try entry(try #require(drafts.first { $0.type == DonationReceived.schema.type }))
        let pledge = try entry(try #require(drafts.first { $0.type == PledgeMade.schema.type }))
        let check = try entry(EntryDraft(DonationAccepted(donation: pledge.envelope.id, acceptedOn: try CalendarDate("2025-01-02")),
                                         subject: donation.envelope.subject, operatorID: "op-ann"))
        let selfVoid = EventID.generate(unixMillis: 1_795_000_000_000)
        let void = try entry(EntryDraft(EventVoided(target: selfVoid, reason: "oops"), subject: nil, operatorID: "op-ann"), id: selfVoid)
        let again = try entry(try #require(drafts.first { $0.type == MemberJoined.schema.type }), id: donation.envelope.id)
        var movement = MovementAudit()
        var duplicates: [AuditFinding] = []
        for e in [donation, pledge, check, void, again] {
            let audited = AuditedEntry.check(e.bytes, origin: e.envelope.origin, seq: e.envelope.seq)
            #expect(audited.problems == [])
            if let f = movement.add(audited, origin: e.envelope.origin, seq: e.envelope.seq) { duplicates.append(f) }
        }
        #expect(duplicates.map(\.seq) == [5])
        #expect(duplicates.first?.message == "event id \(donation.envelope.id) is also entry 1 of a.example.org/hub")
        let cross = movement.crossFindings()
        #expect(cross.map(\.seq) == [3, 4])
        #expect(cross[0].message.contains("which is not a donation.received"))
        #expect(cross[1].message.contains("names the entry itself"))
        // Read in the wrong place, an entry says so.
        #expect(AuditedEntry.check(pledge.bytes, origin: "b.example.org/hub", seq: 9).problems
            == ["entry says seq 2 but is at seq 9", "entry says origin 'a.example.org/hub'"])
    }
}
