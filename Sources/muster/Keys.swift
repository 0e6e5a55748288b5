import ArgumentParser
import Foundation
import MusterCore

extension Muster {
    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a person's signing key (an officer's, e.g. a treasurer's) and print its vkey.",
            discussion: """
                The key author-signs entries (`muster record … --author-key FILE`). Put its vkey on the roster \
                as an officer (`muster roster add --role officer`) so that auditors accept the signatures.
                """)

        @Option(help: "The key's name, e.g. treasurer.sheffield.example.org.")
        var name: String

        @Option(help: "Where to write the new private key (mode 0600; keep it with its holder, off the hub).")
        var out: String

        func run() throws {
            let signer: NoteSigner
            do { signer = try NoteSigner.generate(name: name) } catch { throw InputError("--name '\(name)': \(error)") }
            try writeSecretKey(signer, to: out, option: "--out")
            print(signer.verifier.vkey)
        }
    }
}

/// How a key stands on the roster, for output: nil when there is no roster to say.
func officerStanding(_ officer: Bool?) -> String? {
    officer.map { $0 ? "an officer on the roster" : "NOT an officer on the roster" }
}

/// Writes a new private key file (mode 0600), never over an existing file.
func writeSecretKey(_ signer: NoteSigner, to path: String, option: String) throws {
    guard !FileManager.default.fileExists(atPath: path) else { throw InputError("\(path) exists; choose another \(option)") }
    guard FileManager.default.createFile(atPath: path, contents: Data((signer.skey + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
        throw InputError("\(option): cannot write \(path)")
    }
}

/// Reads a private key file (C2SP `PRIVATE+KEY+…`).
func readSecretKey(_ path: String, option: String) throws -> NoteSigner {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw InputError("\(option): cannot read \(path)") }
    do { return try NoteSigner(skey: text.trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
        throw InputError("\(option): \(path) is not a C2SP private key (PRIVATE+KEY+…)")
    }
}
