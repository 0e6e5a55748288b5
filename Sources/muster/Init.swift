import ArgumentParser
import MusterCore
import MusterStore

extension Muster {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a hub: data directory, Ed25519 log key, key-store key and database; prints the hub's vkey.")

        @OptionGroup var hub: HubOptions

        @Option(help: "The hub's origin, e.g. muster.example.org/hub/sheffield.")
        var origin: String

        func run() throws {
            let created = try Hub.create(directory: hub.directory, origin: origin)
            print(created.verifier.vkey)
        }
    }
}
