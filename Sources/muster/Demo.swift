import ArgumentParser
import Foundation
import MusterCore
import MusterDemo

extension Muster {
    /// `muster demo`: the main job, end to end on synthetic data.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a synthetic movement as a signed log, then verify it from the bytes alone.")

        @Option(help: "Number of synthetic members.")
        var members = 300

        @Option(help: "Random seed for the synthetic movement.")
        var seed: UInt64 = 2026

        func validate() throws {
            guard (1...1_000_000).contains(members) else {
                throw ValidationError("--members must be between 1 and 1000000, not \(members)")
            }
        }

        func run() async throws {
            let movement = SyntheticMovement(.init(members: members, seed: seed))
            let summary = try LogDemo(movement: movement).run()
            print("Muster demo: one hub's synthetic movement as a verifiable log")
            print("origin   \(summary.origin)")
            print("vkey     \(summary.vkey)")
            print("recorded \(summary.entries) entries: \(summary.subjects) subjects in \(summary.regions) regions, \(summary.constituencies) constituencies")
            for (type, count) in summary.countsByType.sorted(by: { $0.key < $1.key }) {
                print("  \(type.padding(toLength: 32, withPad: " ", startingAt: 0)) \(count)")
            }
            print("donations received: \(Currency.gbp.code) \(Currency.gbp.formatMajor(summary.donationsPence))")
            print("\nsigned checkpoint:")
            print(summary.checkpoint, terminator: "")
            print("\nverified:")
            for check in summary.checks { print("  ok  \(check)") }
        }
    }
}
