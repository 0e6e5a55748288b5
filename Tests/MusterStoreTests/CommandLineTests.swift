import Foundation
import MusterCore
import MusterStore
import MusterTesting
import Testing

/// The CLI as a person runs it: every bad input gets one clear line on stderr, a non-zero exit,
/// and nothing written.
@Suite(.serialized) struct CommandLineTests {
    let temp: TemporaryDirectory
    let dir: String

    init() throws {
        temp = try TemporaryDirectory()
        dir = temp.path("hub")
        let created = try MusterBinary.run(["init", "--origin", "cli.example.org/hub/test", "--data-dir", dir])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.hasPrefix("cli.example.org/hub/test+"))
    }

    private func record(_ args: [String], stdin: String? = nil) throws -> MusterBinary.Result {
        try MusterBinary.run(["record"] + args + ["--data-dir", dir], stdin: stdin)
    }

    private func size() throws -> Int {
        try MusterBinary.run(["log", "--format", "jsonl", "--limit", "100000", "--data-dir", dir]).stdout.split(separator: "\n").count
    }

    static let donation = ["donation.received", "--subject", "0b7a1c1e-3f0a-4b7e-9d6c-2f1e0c9a8b7d",
                           "--receivedOn", "2026-03-01", "--method", "card", "--donorKind", "individual"]

    @Test func recordLogShowAndProveRoundTrip() throws {
        let joined = try record(["member.joined", "--name", "Ada Lovelace", "--email", "ada@example.org", "--region", "north-east",
                                 "--constituency", "E14001390", "--joinedOn", "2026-02-01"])
        #expect(joined.status == 0, "\(joined.stderr)")
        let gift = try record(Self.donation + ["--amount", "1250.50", "--donorName", "Ada Lovelace"])
        #expect(gift.status == 0, "\(gift.stderr)")
        let jsonl = try MusterBinary.run(["log", "--format", "jsonl", "--data-dir", dir]).stdout
        let lines = jsonl.split(separator: "\n")
        #expect(lines.count == 2)
        for line in lines { _ = try Entry.decode(Array(line.utf8)) }  // exact canonical bytes
        #expect(!jsonl.contains("Ada") && !jsonl.contains("ada@"))  // sealed
        #expect(jsonl.contains(#""amount":{"currency":"GBP","minor":125050}"#))
        let id = String(gift.stdout.split(separator: " ")[2])
        let shown = try MusterBinary.run(["show", id, "--reveal", "--data-dir", dir])
        #expect(shown.stdout.contains("Ada Lovelace"))
        let receipt = try MusterBinary.run(["prove", id, "--data-dir", dir]).stdout
        try receipt.write(toFile: temp.path("receipt"), atomically: true, encoding: .utf8)
        let vkey = (try Hub(directory: DataDirectory(path: dir), writable: false)).verifier.vkey
        let checked = try MusterBinary.run(["check-proof", temp.path("receipt"), "--vkey", vkey])
        #expect(checked.status == 0, "\(checked.stderr)")
        let verified = try MusterBinary.run(["verify", "--data-dir", dir])
        #expect(verified.status == 0 && verified.stdout.contains("2 entries"))
    }

    /// A treasurer's key on the roster author-signs from the command line; any other key is refused.
    @Test func aTreasurerAuthorSignsFromTheCommandLine() throws {
        let treasurerKey = temp.path("treasurer.key"), rogueKey = temp.path("rogue.key")
        let treasurer = try MusterBinary.run(["keygen", "--name", "treasurer.cli.example.org", "--out", treasurerKey])
        #expect(treasurer.status == 0 && treasurer.stdout.hasPrefix("treasurer.cli.example.org+"), "\(treasurer.stderr)")
        #expect((try FileManager.default.attributesOfItem(atPath: treasurerKey)[.posixPermissions] as? Int) == 0o600)
        #expect(try MusterBinary.run(["keygen", "--name", "rogue.cli.example.org", "--out", rogueKey]).status == 0)
        let draft = temp.path("roster.json"), note = temp.path("roster.note"), rootKey = temp.path("root.key")
        let root = try MusterBinary.run(["roster", "init", "--movement", "cli.example.org", "--root-key", rootKey, "--out", draft])
        let hubVkey = (try Hub(directory: DataDirectory(path: dir), writable: false)).verifier.vkey
        for args in [["roster", "add", draft, "--name", "cli.example.org/hub/test", "--vkey", hubVkey],
                     ["roster", "add", draft, "--name", "treasurer.cli.example.org", "--vkey", treasurer.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "--role", "officer"],
                     ["roster", "sign", draft, "--root-key", rootKey, "--out", note],
                     ["roster", "install", note, "--root-vkey", root.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "--data-dir", dir]] {
            let r = try MusterBinary.run(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
        }
        let signed = try record(Self.donation + ["--amount", "600.00", "--author-key", treasurerKey])
        #expect(signed.status == 0 && signed.stdout.contains("signed by treasurer.cli.example.org"), "\(signed.stderr)")
        let id = String(signed.stdout.split(separator: " ")[2])
        let shown = try MusterBinary.run(["show", id, "--data-dir", dir])
        #expect(shown.stdout.contains("author signature: verifies with treasurer.cli.example.org+") && shown.stdout.contains("(an officer on the roster)"))
        #expect(try MusterBinary.run(["verify", "--data-dir", dir]).status == 0)

        let before = try size()
        for (args, expected) in [(["--author-key", rogueKey], "is not an officer on this hub's roster"),
                                 (["--author-key", temp.path("missing.key")], "--author-key: cannot read"),
                                 (["--author-key", draft], "is not a C2SP private key")] {
            let r = try record(Self.donation + ["--amount", "600.00"] + args)
            #expect(r.status != 0 && r.stderr.contains(expected), "\(args): \(r.stderr)")
            #expect(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
        #expect(try size() == before)
        let again = try MusterBinary.run(["keygen", "--name", "treasurer.cli.example.org", "--out", treasurerKey])
        #expect(again.status != 0 && again.stderr.contains("exists"))
    }

    @Test(arguments: [
        (["member.flew"], "unknown event type"),
        (["donation.received", "--subject", "0b7a1c1e-3f0a-4b7e-9d6c-2f1e0c9a8b7d", "--amount", "10"], "missing required field"),
        (donation + ["--amount", "10", "--colour", "red"], "has no field 'colour'"),
        (donation + ["--amount", "12 XYZ"], "ISO 4217"),
        (donation + ["--amount", "-5"], "negative"),
        (donation + ["--amount", "1.234"], "at most 2 decimals"),
        (donation + ["--amount", "10", "--method", "barter"], "$.payload.method"),
        (["donation.received", "--amount", "10", "--receivedOn", "2026-03-01", "--method", "card", "--donorKind", "individual"], "needs a subject"),
        (donation + ["--amount", "10", "--receivedOn", "2026-02-30"], "receivedOn"),
        (["member.joined", "--region", "north-east", "--constituency", "X1", "--joinedOn", "2026-02-01", "--name", "A"], "GSS code"),
    ] as [([String], String)])
    func badInputIsRefusedWithOneLineAndNothingWritten(args: [String], expected: String) throws {
        let before = try size()
        let result = try record(args)
        #expect(result.status != 0)
        #expect(result.stderr.contains(expected), "stderr: \(result.stderr)")
        #expect(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(try size() == before)
    }

    @Test(arguments: [
        (["sync", "--data-dir", "/nonexistent"], "Missing expected argument '--peer <peer>' (see 'muster sync --help')"),
        (["bogus"], "Unexpected argument 'bogus' (see 'muster --help')"),
        (["replay", "--projection"], "Missing value for '--projection <projection>'"),
        (["log", "--limit", "many"], "'many'"),
    ] as [([String], String)])
    func usageErrorsAreOneLineThatNamesTheHelp(args: [String], expected: String) throws {
        let r = try MusterBinary.run(args)
        #expect(r.status == 64, "\(args): exit \(r.status)")
        #expect(r.stderr.hasPrefix("Error: ") && r.stderr.contains(expected), "\(args): \(r.stderr)")
        #expect(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        #expect(try MusterBinary.run(["sync", "--help"]).stdout.contains("--peer <peer>"), "--help still prints the help")
    }

    @Test func malformedJSONInputIsRefused() throws {
        for bad in [#"{"amount": {"minor": 5, "currency": "GBP"}, "amount": 3}"#, "{not json", #"[1, 2]"#] {
            let result = try record(["donation.received", "--subject", "0b7a1c1e-3f0a-4b7e-9d6c-2f1e0c9a8b7d", "--json", "-"], stdin: bad)
            #expect(result.status != 0)
            #expect(result.stderr.contains("--json"), "\(result.stderr)")
        }
        #expect(try size() == 0)
        let good = try record(["donation.received", "--subject", "0b7a1c1e-3f0a-4b7e-9d6c-2f1e0c9a8b7d", "--json", "-"], stdin: """
            {"amount": {"minor": 2500, "currency": "GBP"}, "receivedOn": "2026-03-01", "method": "cash", "donorKind": "individual"}
            """)
        #expect(good.status == 0, "\(good.stderr)")
    }

    @Test func aSecondWriterAndAMissingDataDirAreExplained() throws {
        let holder = try Hub(directory: DataDirectory(path: dir))
        let blocked = try record(Self.donation + ["--amount", "10"])
        #expect(blocked.status != 0 && blocked.stderr.contains("another muster process"))
        _ = holder
        let missing = try MusterBinary.run(["log", "--data-dir", temp.path("nowhere")])
        #expect(missing.status != 0 && missing.stderr.contains("muster init"))
    }
}
