import ArgumentParser
import Foundation
import MusterCore
import MusterStore

extension Muster {
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List entries of a log.")

        @OptionGroup var hub: HubOptions

        @Option(help: "Origin to list (default: this hub's).")
        var origin: String?

        @Option(help: "First seq to list.")
        var from: UInt64 = 1

        @Option(help: "Most entries to list.")
        var limit: Int = 100

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, jsonl }

        @Option(help: "text, or jsonl: each entry's exact canonical bytes on one line.")
        var format: Format = .text

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be positive") }
            guard from > 0 else { throw ValidationError("--from is a seq, starting at 1") }
        }

        func run() throws {
            let hub = try hub.open(writable: false)
            let origin = origin ?? hub.origin
            var seq = from, remaining = limit
            let out = FileHandle.standardOutput
            while remaining > 0 {
                let page = try hub.store.entries(origin: origin, fromSeq: seq, limit: min(remaining, 10_000))
                if page.isEmpty { break }
                for stored in page {
                    let e = stored.entry.envelope
                    switch format {
                    case .jsonl: out.write(Data(stored.entry.bytes + [0x0A]))
                    case .text:
                        let subject = e.subject.map { " subject=\($0)" } ?? ""
                        print("\(e.seq)\t\(e.recordedAt)\t\(e.type)\t\(e.id)\(subject)\(e.sealed != nil ? " [sealed]" : "")")
                    }
                }
                seq = page.last!.entry.envelope.seq + 1
                remaining -= page.count
            }
            if seq == from && format == .text {
                print("no entries\(from > 1 ? " from seq \(from)" : "") in \(origin)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one entry; --reveal opens its sealed personal fields.")

        @OptionGroup var hub: HubOptions

        @Argument(help: "The event id.")
        var eventID: String

        @Flag(help: "Decrypt the sealed personal fields, if this hub holds the subject's key.")
        var reveal = false

        func run() throws {
            let id = try EventID(eventID)
            let hub = try hub.open(writable: false)
            guard let stored = try hub.store.entry(id: id) else { throw ValidationError("no entry with id \(id) on this hub") }
            print(String(decoding: try PrettyPrint.json(stored.entry.envelope.json), as: UTF8.self))
            if AuthorSignature.isSigned(stored.entry.bytes) {
                switch AuthorSignature.check(stored.entry.bytes) {
                case (let problem?, _): print("author signature: INVALID: \(problem)")
                case (nil, let key?):
                    let standing = officerStanding(AuthorTrust(roster: hub.roster).isOfficer(key))
                    print("author signature: verifies with \(key.vkey)\(standing.map { " (\($0))" } ?? "")")
                case (nil, nil): break
                }
            }
            guard reveal, let sealed = stored.entry.envelope.sealed, let subject = stored.entry.envelope.subject else { return }
            let revealed = try hub.keys.reveal(sealed, subject: subject, origin: stored.entry.envelope.origin, id: id)
            print(revealed.summary)
            if case .fields(let personal) = revealed { print(String(decoding: try PrettyPrint.json(personal), as: UTF8.self)) }
        }
    }
}
