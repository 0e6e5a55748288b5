import ArgumentParser
import Foundation
import MusterCore
import MusterStore

@main
struct Muster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "muster",
        abstract: "A verifiable membership ledger for grassroots movements.",
        subcommands: [
            Demo.self, Init.self, Record.self, Log.self, Show.self, CheckpointCommand.self, Prove.self, CheckProof.self,
            Verify.self, Export.self, Audit.self, Replay.self, Report.self, Digest.self, Serve.self, Sync.self, Peers.self, RosterCommand.self, Token.self, Keygen.self,
            Schemas.self, StressAppend.self,
        ]
    )

    /// Runs the command; every failure is one line on standard error and a non-zero exit. (The
    /// library's default adds usage lines after a usage error; `--help` still prints the help.)
    static func main() async {
        AllocatorPolicy.apply()
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand { try await command.run() } else { try command.run() }
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }
            let first = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            // A usage error names the help to read, on the same line.
            let help = fullMessage(for: error).split(separator: "\n").lazy.compactMap { line -> Substring? in
                guard let open = line.range(of: "See '"), let close = line[open.upperBound...].firstIndex(of: "'") else { return nil }
                return line[open.upperBound..<close]
            }.first
            FileHandle.standardError.write(Data("Error: \(first)\(help.map { " (see '\($0)')" } ?? "")\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}
