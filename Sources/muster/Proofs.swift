import ArgumentParser
import Foundation
import MusterCore
import MusterStore

extension Muster {
    struct CheckpointCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Print the latest signed checkpoint of a log.")

        @OptionGroup var hub: HubOptions

        @Option(help: "Origin (default: this hub's).")
        var origin: String?

        func run() throws {
            let hub = try hub.open(writable: false)
            let origin = origin ?? hub.origin
            guard let checkpoint = try hub.store.latestCheckpoint(origin: origin) else {
                throw InputError("no checkpoint of \(origin) yet: record an event first")
            }
            print(checkpoint.note, terminator: "")
        }
    }

    struct Prove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a C2SP tlog-proof receipt for one entry (the entry's bytes ride in its extra line).")

        @OptionGroup var hub: HubOptions

        @Argument(help: "The event id.")
        var eventID: String

        func run() throws {
            let id = try EventID(eventID)
            print(try Self.receipt(for: id, hub: hub.open(writable: false)).formatted, terminator: "")
        }

        /// The receipt of entry `id` against its origin's latest checkpoint on `hub`.
        static func receipt(for id: EventID, hub: Hub) throws -> EntryReceipt {
            guard let stored = try hub.store.entry(id: id) else { throw InputError("no entry with id \(id) on this hub") }
            let origin = stored.entry.envelope.origin
            guard let latest = try hub.store.latestCheckpoint(origin: origin) else { throw InputError("no checkpoint of \(origin)") }
            let inclusion = try hub.store.inclusionProof(origin: origin, seq: stored.entry.envelope.seq, treeSize: latest.size)
            return try EntryReceipt(entry: stored.entry, inclusion: inclusion, checkpoint: SignedCheckpoint(parsing: latest.note))
        }
    }

    struct CheckProof: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-proof", abstract: "Verify a tlog-proof receipt offline with the hub's vkey.")

        @OptionGroup var receipt: ReceiptOptions

        func run() throws { try receipt.check() }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-verify every stored log: canonical bytes, schemas, roots, tiles, signatures (checkpoints and authors), ids, references.",
            discussion: "The checks of `muster audit verify --data-dir`, trusting this hub's own key and its installed roster.")

        @OptionGroup var hub: HubOptions

        func run() async throws {
            let hub = try hub.open(writable: false)
            let progress = Progress(label: "verify")
            let report = try await hub.verify { origin, done, total in progress.update("\(origin): \(done)/\(total) entries") }
            progress.finish()
            let byOrigin = Dictionary(grouping: report.findings) { $0.origin ?? "" }
            for log in report.logs {
                if log.findings == 0 {
                    print("ok   \(log.origin): \(log.entries) entries, \(log.checkpoints) checkpoints verified")
                } else {
                    print("FAIL \(log.origin): \(log.entries) entries, \(log.checkpoints) checkpoints, \(log.findings) finding(s)")
                    for f in (byOrigin[log.origin] ?? []).prefix(20) { print("  \(f)") }
                }
            }
            let listed = Set(report.logs.map(\.origin))
            for f in report.findings where !listed.contains(f.origin ?? "") { print("FAIL \(f)") }
            if report.suppressed > 0 { print("… and \(report.suppressed) more findings") }
            for origin in report.forked {
                print("FORKED \(origin): held evidence proves two inconsistent signed checkpoints; the origin is frozen")
            }
            for note in report.notes { print("note: \(note)") }
            for a in report.authors {
                print("author signatures: \(a.entries) by \(a.key.vkey)\(officerStanding(a.officer).map { " (\($0))" } ?? "")")
            }
            if let first = report.findings.first {
                let count = report.findings.count + report.suppressed
                throw CoreError(.signature, "verification failed: \(count) finding\(count == 1 ? "" : "s"); first: \(first)")
            }
        }
    }
}

/// The receipt and key `muster check-proof` and `muster audit check` take.
struct ReceiptOptions: ParsableArguments {
    @Argument(help: "The receipt file, or '-' for standard input.")
    var file: String

    @Option(help: "The hub's verifier key (name+keyid+base64).")
    var vkey: String

    @Option(help: "The entry's bytes, when the receipt does not carry them.")
    var entry: String?

    func check() throws {
        let verifier: NoteVerifier
        do { verifier = try NoteVerifier(vkey: vkey) } catch { throw InputError("--vkey: \(error)") }
        let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
        guard let data else { throw InputError("cannot read \(file)") }
        let receipt: EntryReceipt
        do { receipt = try EntryReceipt(parsing: String(decoding: data, as: UTF8.self)) } catch {
            throw InputError("\(file) is not a tlog-proof receipt: \(error)")
        }
        let entryBytes = try entry.map { path -> [UInt8] in
            guard let d = FileManager.default.contents(atPath: path) else { throw InputError("cannot read --entry \(path)") }
            return Array(d.last == 0x0A ? d.dropLast() : d)
        }
        switch receipt.verify(with: verifier, entryBytes: entryBytes) {
        case .valid(let e):
            print("ok: \(e.envelope.type) \(e.envelope.id) is entry \(e.envelope.seq) of \(e.envelope.origin), in the tree of \(receipt.proof.checkpoint.checkpoint.size) signed by \(verifier.name)")
        case .invalid(let reason):
            throw CoreError(.signature, "receipt does not verify: \(reason)")
        }
    }
}
