import Foundation
import MusterCore
@testable import MusterStore
import MusterTesting
import Testing

/// `muster export` and `muster audit …` as an auditor runs them, and the independent Python
/// verifier (Tests/Interop/audit_verify.py, written from docs/VERIFYING.md alone with rfc8785,
/// cryptography and jsonschema) on the same bundles: both accept the honest export with the same
/// logs, roots and donation registers, and both refuse each tampered copy.
@Suite struct AuditCommandLineTests {
    static let verifier = InteropScript("audit_verify.py")
    static let today = "2026-06-30"

    /// Runs the Python verifier: exit status and its JSON report.
    static func python(_ bundle: String, root: String) throws -> (Int32, JSONValue?) {
        let child = try ChildProcess("/usr/bin/env", ["python3", verifier.url.path, bundle, "--root-vkey", root, "--today", today])
        let status = child.waitUntilExit()
        return (status, try? CanonicalJSON.parse(Array(child.output())))
    }

    /// The verifier's own known answers: the standards' vectors and bundles it tampers with itself.
    @Test func theIndependentVerifierPassesItsSelfTest() throws {
        let (status, text) = try Self.verifier.selfTest()
        #expect(status == 0, "\(text.suffix(2000))")
        #expect(text.contains("ALL PASSED"))
    }

    static func muster(_ bundle: String, root: String) throws -> (Int32, JSONValue?) {
        let r = try MusterBinary.run(["audit", "verify", bundle, "--root-vkey", root, "--today", today, "--format", "json"])
        return (r.status, try? CanonicalJSON.parse(Array(r.stdout.utf8)))
    }

    @Test func bothVerifiersAgreeOnAnExportAndRefuseTamperedCopies() async throws {
        let f = try await AuditFixture(members: 100)
        let bundle = f.temp.path("export")
        let export = try MusterBinary.run(["export", "--data-dir", f.dataDir, "--out", bundle])
        #expect(export.status == 0, "\(export.stderr)")

        let (swiftStatus, swiftJSON) = try Self.muster(bundle, root: f.rootVkey)
        let (pythonStatus, pythonJSON) = try Self.python(bundle, root: f.rootVkey)
        #expect(swiftStatus == 0 && pythonStatus == 0)
        let ours = try #require(swiftJSON), theirs = try #require(pythonJSON)
        #expect(ours["ok"] == .bool(true) && theirs["ok"] == .bool(true))
        for key in ["logs", "entries", "donations", "registers", "forked", "findings", "authors"] {
            #expect(ours[key] == theirs[key], "\(key) differs")
        }
        #expect(ours["authors"]?.arrayValue?.first?["officer"] == .bool(true))
        #expect((ours["registers"]?.arrayValue?.count ?? 0) >= 2)

        // A flipped byte, a dropped entry, a validly re-signed forked checkpoint.
        let origin = MultiOriginFixture.origins[1]
        let flipped = try f.copy(bundle, "flipped")
        let path = try AuditFixture.firstTile(flipped, origin)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let dropped = try f.copy(bundle, "dropped")
        let bundlePath = try AuditFixture.firstTile(dropped, origin)
        var entries = try EntryBundle.decode(Array(Data(contentsOf: URL(fileURLWithPath: bundlePath))))
        entries.removeLast()
        try Data(EntryBundle.encode(entries)).write(to: URL(fileURLWithPath: bundlePath))

        let forked = try f.copy(bundle, "forked")
        var leaves = f.logs[1].map(\.leafHash)
        leaves[leaves.count - 1] = MerkleHash.leafHash(Array("rewritten".utf8))
        let note = try SignedCheckpoint.sign(Checkpoint(origin: origin, size: UInt64(leaves.count), rootHash: MerkleTree(leafHashes: leaves).rootHash.bytes),
                                             with: f.signers[origin]!).formatted
        try note.write(toFile: AuditFixture.logFile(forked, origin, AuditBundle.checkpointFile), atomically: true, encoding: .utf8)

        for copy in [flipped, dropped, forked] {
            let (s, ours) = try Self.muster(copy, root: f.rootVkey)
            let (p, theirs) = try Self.python(copy, root: f.rootVkey)
            #expect(s == 1 && p == 1, "\(copy): muster \(s), python \(p)")
            for report in [ours, theirs] {
                let findings = report?["findings"]?.arrayValue ?? []
                #expect(!findings.isEmpty, "\(copy)")
                // Other logs may be named too (a reference to an entry that no longer reads), but this one must be.
                #expect(findings.contains { $0["origin"]?.stringValue == origin }, "\(copy): \(findings)")
            }
        }
        let text = try MusterBinary.run(["audit", "verify", forked, "--root-vkey", f.rootVkey])
        #expect(text.status == 1)
        #expect(text.stdout.contains("FAIL   \(origin)"))
        #expect(text.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1)
        #expect(text.stderr.contains("audit failed"))
    }

    @Test func anAuditorsSessionFromTheCommandLine() async throws {
        let f = try await AuditFixture()
        let bundle = f.temp.path("export")
        #expect(try MusterBinary.run(["export", "--data-dir", f.dataDir, "--out", bundle]).status == 0)

        // The hub's own store, with its pinned root key; the read model is checked against the entries.
        let hub = try MusterBinary.run(["audit", "verify", "--data-dir", f.dataDir])
        #expect(hub.status == 0, "\(hub.stderr)")
        #expect(hub.stdout.contains("agrees with the entries"))
        #expect(hub.stdout.contains("donation register, recomputed from the entries"))

        // Without --root-vkey the bundle's own key is used, and the output says so loudly.
        let unpinned = try MusterBinary.run(["audit", "verify", bundle])
        #expect(unpinned.status == 0)
        #expect(unpinned.stdout.contains("TAKEN FROM THE BUNDLE"))

        // The full register of one year.
        let years = f.logs.joined().compactMap { e -> Int? in
            e.envelope.type == DonationReceived.schema.type ? (try? CalendarDate(e.envelope.payload["receivedOn"]?.stringValue ?? ""))?.parts.year : nil
        }
        let year = try #require(years.first)
        let register = try MusterBinary.run(["audit", "verify", bundle, "--root-vkey", f.rootVkey, "--register", "\(year)"])
        #expect(register.status == 0)
        #expect(register.stdout.contains("Donation register \(year), central party: reportable donations"))

        // A donor's receipt, from the bundle and from the hub, checked with the hub's vkey only.
        let donation = try #require(f.logs[2].first { $0.envelope.type == DonationReceived.schema.type })
        let receipt = f.temp.path("receipt.txt")
        let vkey = f.signers[MultiOriginFixture.origins[2]]!.verifier.vkey
        #expect(try MusterBinary.run(["audit", "prove", donation.envelope.id.text, "--bundle", bundle, "--out", receipt]).status == 0)
        let check = try MusterBinary.run(["audit", "check", receipt, "--vkey", vkey])
        #expect(check.status == 0 && check.stdout.hasPrefix("ok: donation.received \(donation.envelope.id)"))
        let fromHub = try MusterBinary.run(["audit", "prove", donation.envelope.id.text, "--data-dir", f.dataDir])
        #expect(try MusterBinary.run(["audit", "check", "-", "--vkey", vkey], stdin: fromHub.stdout).status == 0)
        let wrongKey = try MusterBinary.run(["audit", "check", receipt, "--vkey", f.hub.verifier.vkey])
        #expect(wrongKey.status != 0 && wrongKey.stderr.contains("does not verify"))
    }

    @Test func badInputGetsOneLineAndWritesNothing() async throws {
        let f = try await AuditFixture(members: 20, ownEvents: 40)
        let bundle = f.temp.path("export")
        #expect(try MusterBinary.run(["export", "--data-dir", f.dataDir, "--out", bundle]).status == 0)
        let before = try FileManager.default.subpathsOfDirectory(atPath: bundle).count
        let stranger = try NoteSigner.generate(name: AuditFixture.movement).verifier.vkey
        let cases: [([String], String)] = [
            (["audit", "verify"], "give a bundle folder or --data-dir"),
            (["audit", "verify", bundle, "--data-dir", f.dataDir], "one of them"),
            (["audit", "verify", f.temp.path("nowhere")], "is not a directory"),
            (["audit", "verify", f.dataDir], "not an audit bundle"),
            (["audit", "verify", bundle, "--root-vkey", stranger], "the roster does not verify"),
            (["audit", "verify", bundle, "--root-vkey", "not-a-key"], "--root-vkey"),
            (["audit", "verify", bundle, "--register", "12"], "--register"),
            (["audit", "verify", bundle, "--today", "2026-13-01"], "2026-13-01"),
            (["audit", "prove", "not-an-id", "--bundle", bundle], "not an event id"),
            (["audit", "prove", EventID.generate(unixMillis: 1).text, "--bundle", bundle], "no log in"),
            (["audit", "check", f.temp.path("missing"), "--vkey", stranger], "cannot read"),
            (["export", "--data-dir", f.dataDir, "--out", bundle], "not an empty folder"),
            (["export", "--data-dir", f.dataDir, "--out", f.temp.path("new"), "--origin", "nope.example/hub"], "holds no log"),
            (["export", "--data-dir", f.temp.path("nohub"), "--out", f.temp.path("new2")], "muster init"),
        ]
        for (args, expected) in cases {
            let r = try MusterBinary.run(args)
            #expect(r.status != 0, "\(args) succeeded")
            #expect(r.stderr.contains(expected), "\(args): \(r.stderr)")
            #expect(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
        #expect(try FileManager.default.subpathsOfDirectory(atPath: bundle).count == before)
        #expect(!FileManager.default.fileExists(atPath: f.temp.path("new")))
        #expect(!FileManager.default.fileExists(atPath: f.temp.path("new2")))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: f.temp.url.path).filter { $0.contains(".partial-") }
        #expect(leftovers == [])
    }
}
