import ArgumentParser
import Foundation
import MusterCore
import MusterDemo
import MusterStore

extension Muster {
    /// Appends synthetic events forever (or `--count` times) and prints one line per acknowledged
    /// append, flushed at once: the crash-safety test kills it at random points and checks that
    /// every acknowledged event survived.
    struct StressAppend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stress-append", abstract: "Append synthetic events in a loop, printing each acknowledgement (testing).",
            shouldDisplay: false)

        @OptionGroup var hub: HubOptions

        @Option(help: "Concurrent appenders.")
        var writers = 8

        @Option(help: "Stop after this many appends (default: never).")
        var count: Int?

        func run() async throws {
            let hub = try hub.open(writable: true)
            let seed = UInt64(truncatingIfNeeded: Date().timeIntervalSince1970.bitPattern)
            let drafts = SyntheticMovement(.init(members: 50, seed: seed)).events.map(\.draft)
                .filter { $0.type != SubjectErased.schema.type }
                .map { draft -> EntryDraft in var d = draft; d.id = nil; return d }
            let total = count
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<writers {
                    group.addTask {
                        var i = w
                        while total.map({ i < $0 }) ?? true {
                            let outcome = try await hub.record(drafts[i % drafts.count])
                            if case .appended(let seq, let id, let size) = outcome {
                                FileHandle.standardOutput.write(Data("ack \(id) \(seq) \(size)\n".utf8))
                            }
                            i += writers
                        }
                    }
                }
                try await group.waitForAll()
            }
            // As `muster record` does: the read models are current when the command returns. Under
            // 64 writers their background catch-up, which no longer shares the log's writer, can
            // trail the appends (a debug build left 43 k of 120 k entries to apply), and the next
            // process to open the hub would otherwise apply them before it does anything else.
            try hub.settleProjections()
        }
    }
}
