import Foundation
import MusterCore
@testable import MusterStore
import MusterTesting
import Testing

/// `muster export` and `muster audit verify` at the library level: an honest bundle and the hub it
/// came from verify; each kind of tampering is found, named by origin and seq; the donation
/// register recomputed from the entries equals the read model's.
@Suite struct AuditTests {
    @Test func anHonestBundleAndItsHubVerify() async throws {
        let f = try await AuditFixture()
        let bundle = try f.export()
        let fromBundle = try await f.audit(bundle: bundle)
        #expect(fromBundle.findings == [])
        #expect(fromBundle.ok)
        // The treasurer signed every acceptance the hub recorded; the audit counts them as an officer's.
        let accepted = try f.hub.store.entries(origin: f.hub.origin, fromSeq: 1, limit: Int.max)
            .filter { $0.entry.envelope.type == DonationAccepted.schema.type }.count
        #expect(accepted > 0)
        #expect(fromBundle.authors == [AuditReport.Author(key: f.treasurer.verifier, entries: UInt64(accepted), officer: true)])
        let held = try f.hub.store.origins()
        #expect(fromBundle.logs.map(\.origin) == held.map(\.origin).sorted())
        #expect(fromBundle.entries == held.reduce(0) { $0 + $1.size })
        for log in fromBundle.logs {
            #expect(log.root == (try f.hub.store.rootHash(origin: log.origin, size: log.entries)))
            #expect(log.checkpoints == (try f.hub.store.checkpoints(origin: log.origin)).count)
            #expect(log.tiles == TlogTile.tiles(treeSize: log.entries).count)
        }

        var fromStore = try await Auditor(keys: f.keys).run(StoreAuditSource(store: f.hub.store, label: f.dataDir))
        #expect(fromStore.findings == [])
        #expect(fromStore.logs.map(\.root) == fromBundle.logs.map(\.root))
        try f.hub.compareDonationReadModel(with: fromStore.movement.ledger, entries: fromStore.entries, into: &fromStore)
        #expect(fromStore.ok)
        #expect(fromStore.notes.contains { $0.contains("agrees with the entries") })
    }

    /// The ledger folds donations as the read model does: voids from any hub, checks and returns
    /// by stamp, refunds netted. Both registers are computed over the fixture's movement.
    @Test func theRegisterFromTheEntriesIsTheReadModels() async throws {
        let f = try await AuditFixture(members: 150)
        let report = try await f.audit(bundle: f.export())
        let fromEntries = report.movement.ledger.donations()
        let fromModel = try Reports(engine: f.hub.projections).registerDonations()
        #expect(fromEntries.count > 50)
        #expect(fromEntries == fromModel)
        #expect(fromEntries.contains { $0.refundedMinor > 0 } && fromEntries.contains { $0.check != nil })
        let today = try CalendarDate("2026-06-30")
        var registers: [DonationRegister] = []
        for year in report.movement.ledger.years {
            for unit in DonationRegister.Unit.allCases {
                let register = DonationRegister(donations: fromEntries, rules: .uk, year: year, quarter: nil, unit: unit, today: today)
                #expect(register == DonationRegister(donations: fromModel, rules: .uk, year: year, quarter: nil, unit: unit, today: today))
                registers.append(register)
            }
        }
        // The ledger's own registers count small gifts without listing them, and come out the same.
        #expect(report.movement.ledger.registers(rules: .uk, today: today) == registers)
        #expect(registers.contains { $0.smallCount > 0 } && registers.contains { !$0.reportable.isEmpty })
    }

    /// A signature that does not verify, and a valid one by a key that is not an officer, are
    /// findings at their entries — in a bundle, in the hub's store, and for `muster verify`.
    @Test func authorSignaturesAreCheckedAgainstTheRostersOfficers() async throws {
        let f = try await AuditFixture(members: 30, ownEvents: 80, authorProblems: true)
        let (bad, foreign) = (MultiOriginFixture.origins[1], MultiOriginFixture.origins[2])
        let expected = [
            AuditFinding(origin: bad, seq: f.spoiled[bad]!, "authorSig does not verify with \(f.treasurer.name)+\(f.treasurer.verifier.keyIDHex)"),
        ]
        let trust = AuthorTrust(officers: [f.treasurer.verifier])
        for report in [try await f.audit(bundle: f.export()),
                       try await Auditor(keys: f.keys, authors: trust).run(StoreAuditSource(store: f.hub.store, label: f.dataDir))] {
            #expect(report.findings.count == 2, "\(report.findings)")
            #expect(report.findings.contains(expected[0]))
            #expect(report.findings.contains { $0.origin == foreign && $0.seq == f.spoiled[foreign]! && $0.message.contains("stranger.example.org+") && $0.message.hasSuffix("which is not an officer on the roster") })
            #expect(report.authors.first { $0.key.name == "stranger.example.org" }?.officer == false)
            #expect(report.authors.allSatisfy { ($0.key == f.treasurer.verifier) == ($0.officer == true) })
        }
        // `muster verify` trusts the hub's installed roster, whose officer is the treasurer.
        let verified = try await f.hub.verify()
        #expect(verified.findings.count == 2 && verified.findings.contains(expected[0]), "\(verified.findings)")
        // Without a roster only the signatures themselves are checked.
        let unrostered = try await Auditor(keys: f.keys).run(StoreAuditSource(store: f.hub.store, label: f.dataDir))
        #expect(unrostered.findings == expected)
    }

    /// The hub signs only with its roster's officers' keys.
    @Test func aHubRefusesToAuthorSignWithAKeyThatIsNotAnOfficers() async throws {
        let f = try await AuditFixture(members: 10, ownEvents: 16)
        let size = try f.hub.store.origins().first { $0.origin == f.hub.origin }?.size
        var draft = try #require(TestHub.drafts(members: 4, seed: 9).first)
        draft.author = try NoteSigner.generate(name: "stranger.example.org")
        await #expect(throws: StoreError.self) { try await f.hub.record(draft) }
        await #expect(throws: StoreError.self) { try await f.hub.recordBulk([draft]) }
        #expect(try f.hub.store.origins().first { $0.origin == f.hub.origin }?.size == size)
        draft.author = f.treasurer
        guard case .appended = try await f.hub.record(draft) else { Issue.record("not appended"); return }
    }

    @Test func aChangedEntryIsFoundAtItsSeq() async throws {
        let f = try await AuditFixture()
        let origin = MultiOriginFixture.origins[1]
        let copy = try f.copy(f.export(), "flipped")
        let path = try AuditFixture.firstTile(copy, origin)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        // The third entry: skip two length-prefixed entries, then break its JSON.
        let first = Int(bytes[0]) << 8 | Int(bytes[1]), second = Int(bytes[2 + first]) << 8 | Int(bytes[3 + first])
        let third = 4 + first + second + 2
        bytes[third] = UInt8(ascii: "[")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let report = try await f.audit(bundle: copy)
        #expect(!report.ok)
        #expect(report.findings.contains { $0.origin == origin && $0.seq == 3 && $0.message.contains("not canonical JSON") })
        #expect(report.findings.contains { $0.origin == origin && $0.message.contains("tile tile/0/000") && $0.message.contains("does not hold") })
        #expect(report.findings.contains { $0.origin == origin && $0.message.contains("its root is not the root of the entries") })
        #expect(report.findings.allSatisfy { $0.origin == origin })
    }

    @Test func aDroppedEntryIsFound() async throws {
        let f = try await AuditFixture()
        let origin = MultiOriginFixture.origins[0]
        let copy = try f.copy(f.export(), "dropped")
        let path = try AuditFixture.firstTile(copy, origin)
        var entries = try EntryBundle.decode(Array(Data(contentsOf: URL(fileURLWithPath: path))))
        let width = entries.count
        entries.remove(at: 10)
        try Data(EntryBundle.encode(entries)).write(to: URL(fileURLWithPath: path))
        let report = try await f.audit(bundle: copy)
        #expect(report.findings.contains { $0.origin == origin && $0.message.contains("holds \(width - 1) entries; \(width) expected") })
        #expect(report.findings.contains { $0.origin == origin && $0.message.contains("could not be read") })
    }

    /// The origin's real key signs a second history: the checkpoint and the last history line are
    /// replaced by a validly signed checkpoint of the same size with another root.
    @Test func aReSignedForkedCheckpointIsFound() async throws {
        let f = try await AuditFixture()
        let origin = MultiOriginFixture.origins[2], log = f.logs[2]
        let copy = try f.copy(f.export(), "forked")
        var altered = log.map(\.leafHash)
        altered[0] = MerkleHash.leafHash(Array("another history".utf8))
        let forged = try SignedCheckpoint.sign(
            Checkpoint(origin: origin, size: UInt64(log.count), rootHash: MerkleTree(leafHashes: altered).rootHash.bytes),
            with: f.signers[origin]!)
        try forged.formatted.write(toFile: AuditFixture.logFile(copy, origin, AuditBundle.checkpointFile), atomically: true, encoding: .utf8)
        let historyPath = AuditFixture.logFile(copy, origin, AuditBundle.historyFile)
        var lines = try String(contentsOfFile: historyPath, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[lines.count - 1] = String(decoding: AuditBundle.historyLine(forged.formatted).dropLast(), as: UTF8.self)
        try (lines.joined(separator: "\n") + "\n").write(toFile: historyPath, atomically: true, encoding: .utf8)
        let report = try await f.audit(bundle: copy)
        #expect(report.findings.contains { $0.origin == origin && $0.seq == UInt64(log.count) && $0.message.contains("signed two histories") })
        #expect(report.findings.allSatisfy { $0.origin == origin })
    }

    @Test func aChangedTileAStrangersCheckpointAndAnUnlistedFileAreFound() async throws {
        let f = try await AuditFixture()
        let origin = MultiOriginFixture.origins[0]
        let copy = try f.copy(f.export(), "tiles")
        let tilePath = try AuditFixture.firstTile(copy, origin, entries: false)
        var tile = Array(try Data(contentsOf: URL(fileURLWithPath: tilePath)))
        tile[40] ^= 1
        try Data(tile).write(to: URL(fileURLWithPath: tilePath))
        let other = MultiOriginFixture.origins[1]
        let stranger = try NoteSigner.generate(name: other)
        let signed = try AuditFixture.checkpoint(f.logs[1][...], origin: other, signer: stranger)
        try signed.formatted.write(toFile: AuditFixture.logFile(copy, other, AuditBundle.checkpointFile), atomically: true, encoding: .utf8)
        let report = try await f.audit(bundle: copy)
        #expect(report.findings.contains { $0.origin == origin && $0.message.hasPrefix("tile tile/0/000") && $0.message.hasSuffix("does not hold the hashes of the entries") })
        #expect(report.findings.contains { $0.origin == other && $0.message.contains("is not signed by \(f.signers[other]!.verifier.vkey)") })
    }

    @Test func aDanglingReferenceIsFound() async throws {
        let f = try await AuditFixture()
        // A log whose refund names a donation that no log holds.
        let origin = "copycat.example.org/hub", signer = try NoteSigner.generate(name: origin)
        let donation = try #require(f.logs[0].first { $0.envelope.type == DonationReceived.schema.type })
        var refund = donation.envelope
        refund.origin = origin
        refund.seq = 1
        refund.id = EventID.generate(unixMillis: 1_800_000_000_000)
        refund.type = DonationRefunded.schema.type
        refund.sealed = nil
        let missing = EventID.generate(unixMillis: 1_700_000_000_000)
        refund.payload = .object(["donation": .string(missing.text), "refundedOn": .string("2025-02-01"),
                                  "amount": .object(["currency": .string("GBP"), "minor": .number(100)])])
        let entries = try [Entry.encode(refund)]
        let target = try AuditFixture.checkpoint(entries[...], origin: origin, signer: signer)
        _ = try await f.hub.store.appendForeign(origin: origin, start: 0, entries: try entries.map { try SyncedEntry($0.bytes) }, target: target, proof: [])
        var keys = f.keys
        keys[origin] = signer.verifier
        let report = try await Auditor(keys: keys).run(BundleDirectory(path: f.export()))
        #expect(report.findings == [AuditFinding(origin: origin, seq: 1, "payload.donation names \(missing), which is in no log")])
    }

    /// Evidence that an origin forked travels in the bundle and fails the audit.
    @Test func heldEvidenceOfAForkFailsTheAudit() async throws {
        let f = try await AuditFixture()
        let origin = MultiOriginFixture.origins[1], log = f.logs[1]
        let full = try AuditFixture.checkpoint(log[...], origin: origin, signer: f.signers[origin]!)
        let n = log.count / 3
        let real = MerkleTree(leafHashes: log.map(\.leafHash))
        let forged = try AuditFixture.checkpoint(log[..<n], origin: origin, signer: f.signers[origin]!,
                                                 root: MerkleHash.leafHash(Array("fork".utf8)))
        let evidence = EquivocationEvidence(origin: origin, a: forged.formatted, b: full.formatted,
                                            rootAtA: try real.root(treeSize: UInt64(n)),
                                            proof: try real.consistencyProof(from: UInt64(n), to: UInt64(log.count)).hashes)
        try evidence.verify(with: f.signers[origin]!.verifier)
        _ = try f.hub.freeze(evidence, source: "test")
        let bundle = try f.export()
        let manifest = try BundleDirectory(path: bundle).manifest
        #expect(manifest.evidence == ["evidence/\(evidence.id).json"])
        #expect(manifest.logs.first { $0.origin == origin }?.frozen == true)
        let report = try await f.audit(bundle: bundle)
        #expect(report.forked == [origin])
        #expect(report.findings.contains { $0.origin == origin && $0.message.hasPrefix("FORKED") })
    }

    /// A receipt made from the bundle alone is the one the hub makes, and verifies with the vkey.
    @Test func receiptsFromABundleVerify() async throws {
        let f = try await AuditFixture()
        let bundle = try BundleDirectory(path: f.export())
        for entry in [f.logs[0][0], f.logs[1][f.logs[1].count - 1], f.logs[2][f.logs[2].count / 2]] {
            let receipt = try bundle.receipt(for: entry.envelope.id)
            guard case .valid(let e) = receipt.verify(with: f.signers[entry.envelope.origin]!.verifier) else {
                Issue.record("receipt for \(entry.envelope.id) does not verify"); continue
            }
            #expect(e.bytes == entry.bytes)
            #expect(receipt.verify(with: f.hub.verifier) != .valid(e))
        }
        #expect(throws: CoreError.self) { try bundle.receipt(for: EventID.generate(unixMillis: 1)) }
    }
}
