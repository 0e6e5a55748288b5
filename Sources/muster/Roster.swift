import ArgumentParser
import Foundation
import MusterCore
import MusterStore

extension Muster {
    struct RosterCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "roster",
            abstract: "The movement's roster: which hubs and auditors exist, with their keys and URLs, signed by the root key.",
            discussion: """
                A draft is plain JSON (roster.json); `sign` turns it into the signed note hubs install (roster.note). \
                To change a signed roster, edit the draft, and sign it with a higher --version.
                """,
            subcommands: [Init.self, Add.self, Sign.self, Show.self, Install.self])

        struct Init: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create the movement's root key and an empty roster draft.")
            @Option(help: "The movement's name, e.g. muster.example.org (names the root key).")
            var movement: String
            @Option(name: .customLong("root-key"), help: "Where to write the new root key (mode 0600; kept offline).")
            var rootKey: String
            @Option(help: "Where to write the draft.")
            var out: String = "roster.json"

            func run() throws {
                guard !FileManager.default.fileExists(atPath: out) else { throw InputError("\(out) exists; choose another --out") }
                let roster = try Roster(movement: movement, version: 1, members: [])
                let signer = try NoteSigner.generate(name: movement)
                try writeSecretKey(signer, to: rootKey, option: "--root-key")
                try writeDraft(roster, to: out)
                print(signer.verifier.vkey)
            }
        }

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add (or replace) a member in a roster draft.")
            @Argument(help: "The draft (roster.json).")
            var draft: String
            @Option(help: "The member's name: a hub's origin, or an auditor's or officer's key name.")
            var name: String
            @Option(help: "The member's verifier key (`muster init` prints a hub's, `muster keygen` an officer's).")
            var vkey: String
            @Option(help: "Where the member serves sync, http(s)://host:port.")
            var url: String?
            @Option(help: "hub, auditor or officer (a person's key that author-signs entries, e.g. a treasurer's).")
            var role: String = "hub"

            func run() throws {
                let roster = try readDraft(draft)
                guard let role = Roster.Role(rawValue: role) else { throw InputError("--role must be \(Roster.Role.listed), not '\(role)'") }
                let verifier: NoteVerifier
                do { verifier = try NoteVerifier(vkey: vkey) } catch { throw InputError("--vkey: \(error)") }
                let member = try Roster.Member(name: name, verifier: verifier, url: url, role: role)
                try writeDraft(try roster.setting(member), to: draft)
                print("\(roster.member(name) == nil ? "added" : "replaced") \(name) (\(role.rawValue)) in \(draft)")
            }
        }

        struct Sign: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Sign a roster draft with the root key.")
            @Argument(help: "The draft (roster.json).")
            var draft: String
            @Option(name: .customLong("root-key"), help: "The root key file from `roster init`.")
            var rootKey: String
            @Option(help: "The version to sign (default: the draft's); must exceed the version hubs hold.")
            var version: UInt64?
            @Option(help: "Where to write the signed roster.")
            var out: String = "roster.note"

            func run() throws {
                var roster = try readDraft(draft)
                if let version {
                    guard version >= 1 else { throw InputError("--version must be ≥ 1") }
                    roster = try roster.at(version: version)
                }
                let signer = try readSecretKey(rootKey, option: "--root-key")
                try Data(try roster.sign(with: signer).utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
                print("signed roster version \(roster.version) of \(roster.movement) (\(roster.members.count) members) to \(out)")
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show a roster (a draft, a signed note, or this hub's with --data-dir).")
            @Argument(help: "roster.json or roster.note (default: the hub's installed roster).")
            var file: String?
            @Option(name: .customLong("root-vkey"), help: "Check a signed roster against this root key.")
            var rootVkey: String?
            @OptionGroup var hub: HubOptions

            func run() throws {
                let roster: Roster
                if let file {
                    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw InputError("cannot read \(file)") }
                    if let rootVkey {
                        roster = try Roster.open(text, root: try NoteVerifier(vkey: rootVkey))
                        print("signature: verified with \(rootVkey)")
                    } else if let note = try? SignedNote(parsing: text) {
                        roster = try Roster(jsonBytes: Array(note.text.utf8))
                        print("signature: not checked (pass --root-vkey)")
                    } else {
                        roster = try Roster(jsonBytes: Array(text.utf8))
                        print("draft (unsigned)")
                    }
                } else {
                    guard let installed = try hub.directory.roster() else { throw InputError("no roster installed in \(hub.dataDir)") }
                    roster = installed
                    print("installed; root key \(try hub.directory.pinnedRoot()?.vkey ?? "?")")
                }
                var table = ReportTable(title: "roster of \(roster.movement), version \(roster.version)", columns: ["name", "role", "url", "vkey"])
                for m in roster.members { table.rows.append([.text(m.name), .text(m.role.rawValue), .text(m.url ?? ""), .text(m.verifier.vkey)]) }
                print(table.text, terminator: "")
            }
        }

        struct Install: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Install a signed roster in this hub (the first install pins the root key).")
            @Argument(help: "The signed roster (roster.note).")
            var file: String
            @Option(name: .customLong("root-vkey"), help: "The movement's root verifier key (required the first time).")
            var rootVkey: String?
            @OptionGroup var hub: HubOptions

            func run() throws {
                guard let note = try? String(contentsOfFile: file, encoding: .utf8) else { throw InputError("cannot read \(file)") }
                let root: NoteVerifier?
                do { root = try rootVkey.map { try NoteVerifier(vkey: $0) } } catch { throw InputError("--root-vkey: \(error)") }
                _ = try hub.directory.origin()
                if let roster = try hub.directory.installRoster(note: note, root: root) {
                    let origin = try hub.directory.origin()
                    print("installed roster version \(roster.version) of \(roster.movement) (\(roster.members.count) members)")
                    if roster.member(origin) == nil {
                        FileHandle.standardError.write(Data("warning: this hub (\(origin)) is not on the roster; peers will refuse its requests\n".utf8))
                    }
                } else {
                    print("roster already installed")
                }
            }
        }
    }
}

private func readDraft(_ path: String) throws -> Roster {
    guard let data = FileManager.default.contents(atPath: path) else { throw InputError("cannot read \(path)") }
    return try Roster(jsonBytes: Array(data))
}

private func writeDraft(_ roster: Roster, to path: String) throws {
    let pretty = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: Data(try CanonicalJSON.encode(roster.json))),
                                            options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    try (pretty + Data("\n".utf8)).write(to: URL(fileURLWithPath: path), options: .atomic)
}
