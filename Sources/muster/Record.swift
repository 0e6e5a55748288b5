import ArgumentParser
import Foundation
import MusterCore
import MusterStore

extension Muster {
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record an event: `muster record TYPE --field value …` or `muster record TYPE --json FILE|-`.",
            discussion: """
                Fields are the event type's payload fields (see Schemas/events/). Personal fields (names, \
                e-mail, phone, address, postcode, date of birth, notes) are sealed automatically. Nested \
                fields use dots (--constituency.code E14001063); --amount takes 25.00 or "25.00 GBP"; \
                --constituency takes a GSS code. Known types: \(EventCatalog.typeNames.joined(separator: ", ")).
                """)

        @OptionGroup var hub: HubOptions

        @Argument(help: "The event type, e.g. member.joined or donation.received.")
        var type: String

        @Option(help: "The member or donor id (a new one is made for member.joined when omitted).")
        var subject: String?

        @Option(name: .customLong("operator"), help: "Who records it (default: $MUSTER_OPERATOR or cli).")
        var operatorID: String = ProcessInfo.processInfo.environment["MUSTER_OPERATOR"] ?? "cli"

        @Option(help: "Read the fields from a JSON object in FILE, or from standard input with '-'.")
        var json: String?

        @Option(name: .customLong("expect-size"), help: "Record only if the log holds exactly this many entries.")
        var expectSize: UInt64?

        @Option(name: .customLong("author-key"), help: "An officer's private key (`muster keygen`) to author-sign the entry with.")
        var authorKey: String?

        @Argument(parsing: .allUnrecognized, help: "Fields as --name value pairs.")
        var fields: [String] = []

        func run() async throws {
            if json != nil && !fields.isEmpty { throw ValidationError("give fields either as --name value pairs or with --json, not both") }
            let schema = try EventCatalog.latest(type: type).schema
            let fields: JSONValue
            let source: String
            if let json {
                fields = try readJSON(json)
                source = "--json \(json)"
            } else {
                let (payload, personal) = try FieldInput(schema: schema).parse(try pairs())
                fields = .object((payload.objectValue ?? [:]).merging(personal.objectValue ?? [:]) { a, _ in a })
                source = "fields"
            }
            let author = try authorKey.map { try readSecretKey($0, option: "--author-key") }
            let hub = try hub.open(writable: true)
            var draft = try EntryDraft(type: schema.type, subject: try subject.map { try SubjectID($0) }, operatorID: operatorID,
                                       fields: fields, blindIndex: hub.blindIndex, source: source)
            draft.author = author
            let subjectID = draft.subject
            switch try await hub.record(draft, expectedSize: expectSize) {
            case .appended(let seq, let id, _):
                print("recorded \(schema.type) \(id) seq \(seq)\(subjectID.map { " subject \($0)" } ?? "")\(author.map { " signed by \($0.name)" } ?? "")")
                do { try hub.settleProjections() } catch {
                    // The event is durable; only the read models lag, and the next catch-up retries.
                    FileHandle.standardError.write(Data("warning: recorded, but the read models did not catch up: \(error)\n".utf8))
                }
            case .conflict(let expected, let actual):
                throw CoreError(.invalidValue, "not recorded: the log holds \(actual) entries, not the \(expected) given by --expect-size")
            }
        }

        private func pairs() throws -> [(name: String, value: String)] {
            var out: [(String, String)] = []
            var i = 0
            while i < fields.count {
                let arg = fields[i]
                guard arg.hasPrefix("--"), arg.count > 2 else {
                    throw ValidationError("unexpected '\(arg)': give fields as --name value")
                }
                let body = arg.dropFirst(2)
                if let eq = body.firstIndex(of: "=") {
                    out.append((String(body[..<eq]), String(body[body.index(after: eq)...])))
                    i += 1
                } else {
                    guard i + 1 < fields.count else { throw ValidationError("field \(arg) has no value") }
                    out.append((String(body), fields[i + 1]))
                    i += 2
                }
            }
            return out
        }

        private func readJSON(_ source: String) throws -> JSONValue {
            let data: Data
            if source == "-" { data = FileHandle.standardInput.readDataToEndOfFile() } else {
                guard let d = FileManager.default.contents(atPath: source) else { throw ValidationError("--json: cannot read \(source)") }
                data = d
            }
            do { return try CanonicalJSON.parse(Array(data)) } catch {
                throw ValidationError("--json \(source): not valid JSON: \(error)")
            }
        }
    }
}
