import ArgumentParser
import Foundation
import MusterCore
import MusterDemo
import MusterStore
import MusterSync
import Logging

extension Muster {
    /// `muster demo`: the main job, end to end on synthetic data.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a hub on synthetic data (record, restart, verify, prove a donation, erase a member), then three hubs on loopback in sync.")

        @Option(help: "Number of synthetic members.")
        var members = 300

        @Option(help: "Random seed for the synthetic movement.")
        var seed: UInt64 = 2026

        @Option(name: .customLong("data-dir"), help: "Where to create the demo hub (default: a new temporary directory, removed afterwards).")
        var dataDir: String?

        func validate() throws {
            guard (1...100_000).contains(members) else {
                throw ValidationError("--members must be between 1 and 100000, not \(members)")
            }
        }

        func run() async throws {
            let temporary = dataDir == nil
            let path = dataDir ?? FileManager.default.temporaryDirectory.appendingPathComponent("muster-demo-\(UUID().uuidString)").path
            defer { if temporary { try? FileManager.default.removeItem(atPath: path) } }
            let movement = SyntheticMovement(.init(members: members, seed: seed))
            print("Muster demo: a regional hub records a synthetic movement as a verifiable, signed log\n")
            let report = try await HubDemo(movement: movement, directory: DataDirectory(path: path)).run()
            for line in report.lines { print("  ok  \(line)") }
            print("\norigin   \(report.origin)")
            print("vkey     \(report.vkey)")
            print("entries  \(report.entries): \(report.subjects) subjects in \(report.regions) regions, \(report.constituencies) constituencies")
            for (type, count) in report.countsByType.sorted(by: { $0.key < $1.key }) {
                print("  \(type.padding(toLength: 32, withPad: " ", startingAt: 0)) \(count)")
            }
            print("donations received: \(Currency.gbp.code) \(Currency.gbp.formatMajor(report.donationsPence))")
            print("\nreports from the read models (muster report …):\n")
            print(ReportTable.render(report.reports, as: .table))
            print("latest signed checkpoint:")
            print(report.checkpoint, terminator: "")
            if !temporary { print("\nthe hub is kept in \(path): try `muster log --data-dir \(path)`") }

            print("\nMuster demo, part two: three regional hubs on loopback keep every hub's log in sync\n")
            let movementDir = URL(fileURLWithPath: path + "-movement")
            defer { if temporary { try? FileManager.default.removeItem(at: movementDir) } }
            let three = try await MovementDemo(drafts: SyntheticMovement(.init(members: members, seed: seed &+ 1)).events.map(\.draft),
                                               directory: movementDir, logger: stderrLogger("muster.demo", level: .error)).run()
            for line in three.lines { print("  ok  \(line)") }
            let origins = three.hubs.flatMap { $0.held.keys }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.sorted()
            var table = ReportTable(title: "\nentries each hub holds, per origin, and its read-model digest",
                                    columns: ["hub"] + origins.map { String($0.split(separator: "/").last ?? "") } + ["digest"])
            for hub in three.hubs {
                table.rows.append([.text(hub.name)] + origins.map { .integer(Int64(hub.held[$0] ?? 0)) } + [.text(String(hub.digest.prefix(16)) + "…")])
            }
            print(table.text, terminator: "")
            if !temporary { print("the three hubs are kept in \(movementDir.path)") }
        }
    }
}
