import ArgumentParser
import Foundation
import MusterCore
import MusterStore

extension Muster {
    /// `muster export`: the auditor's bundle.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an auditor's bundle: every log as C2SP tlog-tiles with its checkpoint history, the roster, evidence and schemas.",
            discussion: "Sealed payloads stay sealed. Verify it with `muster audit verify DIR`; docs/VERIFYING.md describes it byte by byte.")

        @OptionGroup var hub: HubOptions

        @Option(help: "The folder to create (it must not exist, or be empty).")
        var out: String

        @Option(help: "An origin to export (repeatable), or 'all' (the default).")
        var origin: [String] = []

        func run() throws {
            let hub = try hub.open(writable: false)
            let origins = origin.isEmpty || origin == ["all"] ? nil : origin
            let progress = Progress(label: "export")
            let result = try BundleExporter(hub: hub).export(to: URL(fileURLWithPath: out).standardizedFileURL, origins: origins) { origin, done, total in
                progress.update("\(origin): \(done)/\(total) entries")
            }
            progress.finish()
            for log in result.manifest.logs {
                print("\(log.origin): \(log.size) entries, \(log.checkpoints) checkpoints\(log.frozen ? " (FROZEN: evidence included)" : "")")
            }
            for (origin, count) in result.uncovered.sorted(by: { $0.key < $1.key }) {
                print("note: \(origin): \(count) entries past its latest checkpoint were not exported (no signed checkpoint covers them yet)")
            }
            print("wrote \(out): \(result.files) files; verify with `muster audit verify \(out) --root-vkey VKEY`")
        }
    }

    /// `muster audit …`: what an auditor runs.
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a bundle or a hub end to end, and make or check receipts for single events.",
            subcommands: [AuditVerify.self, AuditProve.self, AuditCheck.self])
    }

    struct AuditVerify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Verify every entry, tile, root, checkpoint signature and reference, and recompute the donation register.",
            discussion: """
                Give a bundle folder (from `muster export`) or --data-dir. Trust comes from the movement's root key \
                (--root-vkey), which signs the roster, which names each hub's key; a lone hub's key can be pinned with --vkey. \
                Exits non-zero with the list of findings (origin, seq, what).
                """)

        @Argument(help: "The bundle folder.")
        var bundle: String?

        @Option(name: .customLong("data-dir"), help: "Verify a hub's data directory instead of a bundle.")
        var dataDir: String?

        @Option(name: .customLong("root-vkey"), help: "The movement's root verifier key (or a file holding it).")
        var rootVkey: String?

        @Option(help: "An origin's verifier key to trust (repeatable; for a hub without a roster).")
        var vkey: [String] = []

        @Option(help: "text or json.")
        var format: AuditFormat = .text

        @Option(help: "Print the full donation register of this calendar year.")
        var register: Int?

        @OptionGroup var options: RegisterOptions

        func validate() throws {
            if (bundle == nil) == (dataDir == nil) { throw InputError("give a bundle folder or --data-dir DIR (one of them)") }
            if let register, !(2000...9999).contains(register) { throw InputError("--register \(register) is not a plausible calendar year") }
            if options.quarter != nil, register == nil { throw InputError("--quarter goes with --register YEAR") }
        }

        func run() async throws {
            let started = Date()
            let rules = try options.ruleSet()
            let today = try options.referenceDate()
            var lines: [String] = []
            let source: any AuditSource
            let trust: Trust
            var hub: Hub?
            if let bundle {
                let directory = try BundleDirectory(path: bundle)
                source = directory
                trust = try Trust.forBundle(directory, rootVkey: rootVkey, vkeys: vkey)
                let m = directory.manifest
                lines.append("audit of bundle \(directory.url.path): \(m.movement.map { "movement \($0), " } ?? "")exported by \(m.exportedBy) at \(m.exportedAt)")
            } else {
                let opened = try Hub(directory: DataDirectory(path: dataDir!), writable: false)
                hub = opened
                source = try StoreAuditSource(store: opened.store, label: opened.directory.url.path)
                trust = try Trust.forHub(opened, rootVkey: rootVkey, vkeys: vkey)
                lines.append("audit of hub \(opened.origin) at \(opened.directory.url.path)")
            }
            lines += trust.lines

            let progress = Progress(label: "audit")
            var report = try await Auditor(keys: trust.keys, authors: trust.authors).run(source) { origin, done, total in
                progress.update("\(origin): \(done)/\(total) entries")
            }
            progress.finish()
            if let directory = source as? BundleDirectory {
                for path in directory.unlistedLogDirectories() {
                    report.add(AuditFinding(origin: nil, "\(path) is not listed in the manifest"))
                }
            }
            for missing in trust.hubs where !report.logs.contains(where: { $0.origin == missing }) {
                report.note("\(missing) is a hub on the roster but no log of it is here")
            }
            if let hub { try hub.compareDonationReadModel(with: report.movement.ledger, entries: report.entries, into: &report) }
            let seconds = Date().timeIntervalSince(started)

            let registers = report.movement.ledger.registers(rules: rules, today: today)
            if format == .json {
                let json = Self.json(report, registers: registers)
                print(String(decoding: try CanonicalJSON.encode(json), as: UTF8.self))
            } else {
                print(text(report, lines: lines, registers: registers, seconds: seconds))
                if let register {
                    let year = DonationRegister(donations: report.movement.ledger.donations { $0.receivedOn.parts.year == register },
                                                rules: rules, year: register, quarter: options.quarter, unit: options.unit.unit, today: today)
                    print(ReportTable.render(year.tables(rules: rules), as: .table), terminator: "")
                }
            }
            if !report.ok {
                let count = report.findings.count + report.suppressed
                throw CoreError(.signature, "audit failed: \(count) finding\(count == 1 ? "" : "s"); first: \(report.findings[0])")
            }
        }

        private func text(_ report: AuditReport, lines: [String], registers: [DonationRegister], seconds: Double) -> String {
            var out = lines
            let byOrigin = Dictionary(grouping: report.findings) { $0.origin ?? "" }
            for log in report.logs {
                let root = log.root.map { " root \(Data($0.bytes).base64EncodedString())" } ?? ""
                let counts = "\(log.entries) entries, \(log.checkpoints) checkpoints, \(log.tiles) tiles"
                if log.findings == 0 {
                    out.append("ok     \(log.origin): \(counts) verified;\(root)")
                } else {
                    out.append("FAIL   \(log.origin): \(counts); \(log.findings) finding\(log.findings == 1 ? "" : "s")")
                    for f in byOrigin[log.origin] ?? [] { out.append("  \(f)") }
                }
            }
            let listed = Set(report.logs.map(\.origin))
            for f in report.findings where !listed.contains(f.origin ?? "") { out.append("FAIL   \(f)") }
            if report.suppressed > 0 { out.append("… and \(report.suppressed) more findings") }
            for origin in report.forked { out.append("FORKED \(origin): it signed two inconsistent checkpoints; its log is not to be trusted past the fork") }
            for note in report.notes { out.append("note: \(note)") }
            out.append("movement: \(report.entries) entries in \(report.logs.count) logs; event ids unique and references resolved unless listed above")
            for a in report.authors {
                let standing = officerStanding(a.officer) ?? "no roster to check the key against"
                out.append("author signatures: \(a.entries) entr\(a.entries == 1 ? "y" : "ies") signed by \(a.key.vkey) (\(standing))")
            }
            out.append("donation register, recomputed from the entries (\(report.movement.ledger.donationCount) donations):")
            if registers.isEmpty { out.append("  no donations") }
            for r in registers {
                let total = r.reportable.reduce(Int64(0)) { $0 + $1.valueMinor }
                out.append("  \(r.year) \(r.unit == .central ? "central party   " : "accounting units"): \(r.reportable.count) reportable (£\(Currency.gbp.formatMajor(total))), \(r.permissibility.count) permissibility issues, \(r.returned.count) returned or refunded, \(r.smallCount) gifts of £500 or less")
            }
            if register == nil, !registers.isEmpty { out.append("  (--register YEAR prints one year's register in full)") }
            let rate = seconds > 0 ? Int(Double(report.entries) / seconds) : 0
            out.append("\(report.ok ? "verified" : "checked") \(report.entries) entries in \(String(format: "%.1f", seconds)) s (\(rate) entries/s)")
            return out.joined(separator: "\n")
        }

        /// One year's register for one unit, as ids (the interop verifier prints the same).
        static func registerJSON(_ r: DonationRegister) -> JSONValue {
            func strings(_ list: [String]) -> JSONValue { .array(list.sorted().map(JSONValue.string)) }
            let issues: [[String]] = r.permissibility.map { [$0.donation.id, $0.issue] }.sorted { $0.lexicographicallyPrecedes($1) }
            return .object([
                "year": .number(Double(r.year)), "unit": .string(r.unit.rawValue),
                "reportable": strings(r.reportable.map(\.donation.id)),
                "permissibility": .array(issues.map { .array($0.map(JSONValue.string)) }),
                "returned": strings(r.returned.map(\.id)),
                "smallCount": .number(Double(r.smallCount)), "smallTotalMinor": .number(Double(r.smallTotalMinor)),
            ])
        }

        /// The machine-readable report (docs/VERIFYING.md; the interop verifier prints the same shape).
        static func json(_ report: AuditReport, registers: [DonationRegister]) -> JSONValue {
            func number(_ n: some BinaryInteger) -> JSONValue { .number(Double(n)) }
            return .object([
                "ok": .bool(report.ok),
                "logs": .array(report.logs.map { log in
                    .object(["origin": .string(log.origin), "size": number(log.entries), "checkpoints": number(log.checkpoints),
                             "root": log.root.map { .string(Data($0.bytes).base64EncodedString()) } ?? .null])
                }),
                "entries": number(report.entries),
                "findings": .array(report.findings.map(\.json)),
                "forked": .array(report.forked.map(JSONValue.string)),
                "authors": .array(report.authors.map { a in
                    .object(["vkey": .string(a.key.vkey), "entries": number(a.entries), "officer": a.officer.map(JSONValue.bool) ?? .null])
                }),
                "donations": number(report.movement.ledger.donationCount),
                "registers": .array(registers.map(registerJSON)),
            ])
        }
    }

    struct AuditProve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prove",
            abstract: "Write a C2SP tlog-proof receipt for one event, from a hub or a bundle; it verifies with the hub's vkey alone.")

        @Argument(help: "The event id.")
        var eventID: String

        @Option(name: .customLong("data-dir"), help: "The hub's data directory (default: $MUSTER_DATA_DIR or ./muster-data).")
        var dataDir: String?

        @Option(help: "Make the receipt from a bundle folder instead of a hub.")
        var bundle: String?

        @Option(help: "Write the receipt to this file (default: standard output).")
        var out: String?

        func validate() throws {
            if dataDir != nil, bundle != nil { throw InputError("give --data-dir or --bundle, not both") }
        }

        func run() throws {
            let id: EventID
            do { id = try EventID(eventID) } catch { throw InputError("'\(eventID)' is not an event id (a lower-case UUIDv7)") }
            let receipt: EntryReceipt
            if let bundle {
                receipt = try BundleDirectory(path: bundle).receipt(for: id)
            } else {
                receipt = try Prove.receipt(for: id, hub: Hub(directory: DataDirectory(path: dataDir ?? DataDirectory.defaultPath), writable: false))
            }
            if let out {
                guard FileManager.default.createFile(atPath: out, contents: Data(receipt.formatted.utf8)) else {
                    throw InputError("cannot write \(out)")
                }
                let e = try Entry.decode(receipt.proof.extra ?? [])
                print("wrote \(out): \(e.envelope.type) \(e.envelope.id), entry \(e.envelope.seq) of \(e.envelope.origin); check it with `muster audit check \(out) --vkey VKEY`")
            } else {
                print(receipt.formatted, terminator: "")
            }
        }
    }

    struct AuditCheck: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Verify a tlog-proof receipt offline with the hub's vkey, as a donor would.")

        @OptionGroup var receipt: ReceiptOptions

        func run() throws { try receipt.check() }
    }
}

enum AuditFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

/// The keys an audit trusts, and how it came to trust them.
struct Trust {
    var keys: [String: NoteVerifier] = [:]
    /// The roster's officers (no roster: none known).
    var authors = AuthorTrust(officers: nil)
    var hubs: [String] = []
    var lines: [String] = []

    static func verifier(_ text: String, option: String) throws -> NoteVerifier {
        var value = text
        if FileManager.default.fileExists(atPath: text), let data = FileManager.default.contents(atPath: text) {
            value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        do { return try NoteVerifier(vkey: value) } catch { throw InputError("\(option): '\(text.prefix(80))' is not a vkey or a file holding one: \(error)") }
    }

    /// Keys from the roster, opened with the root key; pinned origin keys on top.
    mutating func add(roster note: String, root: NoteVerifier, how: String) throws {
        let roster: Roster
        do { roster = try Roster.open(note, root: root) } catch { throw InputError("the roster does not verify: \(error)") }
        for member in roster.hubs { keys[member.name] = member.verifier }
        hubs = roster.hubs.map(\.name)
        authors = AuthorTrust(roster: roster)
        lines.append("trust: root key \(root.vkey) (\(how)); roster version \(roster.version) of \(roster.movement): \(roster.hubs.count) hubs, \(roster.officers.count) officers")
    }

    mutating func pin(_ vkeys: [String]) throws {
        for text in vkeys {
            let key = try Self.verifier(text, option: "--vkey")
            keys[key.name] = key
            lines.append("trust: \(key.vkey) (pinned with --vkey)")
        }
    }

    static func forBundle(_ bundle: BundleDirectory, rootVkey: String?, vkeys: [String]) throws -> Trust {
        var trust = Trust()
        if let note = bundle.text(AuditBundle.rosterFile) {
            if let rootVkey {
                try trust.add(roster: note, root: verifier(rootVkey, option: "--root-vkey"), how: "pinned with --root-vkey")
            } else if let text = bundle.text(AuditBundle.rootKeyFile) {
                try trust.add(roster: note, root: verifier(text.trimmingCharacters(in: .whitespacesAndNewlines), option: AuditBundle.rootKeyFile),
                              how: "TAKEN FROM THE BUNDLE: this shows the bundle is self-consistent, not that it is your movement's; pin the key with --root-vkey")
            } else {
                throw InputError("the bundle has a roster but no root key: pass --root-vkey VKEY")
            }
        } else if vkeys.isEmpty {
            for line in (bundle.text(AuditBundle.vkeysFile) ?? "").split(separator: "\n") {
                let key = try verifier(String(line), option: AuditBundle.vkeysFile)
                trust.keys[key.name] = key
                trust.lines.append("trust: \(key.vkey) (TAKEN FROM THE BUNDLE: pin it with --vkey)")
            }
        }
        try trust.pin(vkeys)
        if trust.keys.isEmpty { throw InputError("no keys to verify with: the bundle has no roster; pass --vkey VKEY for each origin") }
        return trust
    }

    static func forHub(_ hub: Hub, rootVkey: String?, vkeys: [String]) throws -> Trust {
        var trust = Trust()
        if let note = hub.directory.rosterNote() {
            if let rootVkey {
                try trust.add(roster: note, root: verifier(rootVkey, option: "--root-vkey"), how: "pinned with --root-vkey")
            } else if let root = try hub.directory.pinnedRoot() {
                try trust.add(roster: note, root: root, how: "pinned by this hub's root.vkey")
            }
        }
        if trust.keys[hub.origin] == nil {
            trust.keys[hub.origin] = hub.verifier
            trust.lines.append("trust: \(hub.verifier.vkey) (this hub's own key)")
        }
        try trust.pin(vkeys)
        return trust
    }
}
