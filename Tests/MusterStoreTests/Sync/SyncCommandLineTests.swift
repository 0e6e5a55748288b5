import Foundation
import MusterCore
import MusterTesting
import Testing

/// The sync commands refuse bad input with one clear line and a non-zero exit, and change nothing.
@Suite struct SyncCommandLineTests {
    @Test func badInputGetsOneLine() throws {
        let temp = try TemporaryDirectory()
        let hub = temp.path("hub"), draft = temp.path("roster.json"), key = temp.path("root.key")
        #expect(try MusterBinary.run(["init", "--origin", "cli.example/hub/a", "--data-dir", hub]).status == 0)
        let root = try MusterBinary.run(["roster", "init", "--movement", "cli.example", "--root-key", key, "--out", draft])
        #expect(root.status == 0)
        let cases: [([String], String)] = [
            (["roster", "add", draft, "--name", "cli.example/hub/a", "--vkey", "nonsense"], "--vkey"),
            (["roster", "add", draft, "--name", "cli.example/hub/a", "--vkey", root.stdout.trimmingCharacters(in: .whitespacesAndNewlines)], "named"),
            (["roster", "add", draft, "--name", "x", "--vkey", "x+00000000+AQ==", "--role", "king"], "--role"),
            (["roster", "init", "--movement", "cli.example", "--root-key", key, "--out", temp.path("other.json")], "exists"),
            (["roster", "sign", draft, "--root-key", temp.path("missing.key")], "cannot read"),
            (["roster", "install", draft, "--data-dir", hub], "root vkey"),
            (["serve", "--listen", "nowhere", "--data-dir", hub], "host:port"),
            (["sync", "--peer", "http://127.0.0.1:1", "--data-dir", hub], "no roster"),
            (["token", "add", "--name", "bad name", "--data-dir", hub], "operator name"),
        ]
        for (args, expected) in cases {
            let r = try MusterBinary.run(args)
            #expect(r.status != 0, "\(args) succeeded")
            #expect(r.stderr.contains(expected), "\(args): \(r.stderr)")
            #expect(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: hub + "/roster.note"))
        #expect(!FileManager.default.fileExists(atPath: hub + "/operators"))
    }
}
