import ArgumentParser
import MusterCore

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
}
