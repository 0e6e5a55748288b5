import ArgumentParser
import Foundation
import MusterCore
import MusterStore

/// Opens a hub for reading its read models, bringing them up to date first when this process
/// can take the writer lock (otherwise the hub's running writer keeps them current).
func openForReports(_ options: HubOptions) throws -> Hub {
    let hub: Hub
    do {
        hub = try options.open(writable: true)
    } catch let error as StoreError where error.code == .locked {
        hub = try options.open(writable: false)
    }
    if hub.isWritable { try hub.settleProjections() }
    for status in try hub.projections.status() {
        if status.builtVersion == nil {
            throw StoreError(.notFound, "the read models of \(hub.origin) are not built yet: run `muster replay`")
        }
        if let limit = status.limit {
            FileHandle.standardError.write(Data("note: \(status.name) is pinned \(limit) (run `muster replay` to bring it up to date)\n".utf8))
        }
    }
    return hub
}

extension Muster {
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild read models from the log, swapping them in when complete.",
            discussion: """
                Readers keep the old model until the new one is complete. With --until or --as-of the models \
                stop there and stay pinned (new events are not applied) until a replay without a limit.
                """)

        @OptionGroup var hub: HubOptions

        @Option(help: "A projection (\(Projections.all.map(\.name).joined(separator: ", "))) or all.")
        var projection: String = "all"

        @Option(help: "Stop at this position in this hub's arrival order (the seq, for a hub holding only its own log).")
        var until: Int64?

        @Option(name: .customLong("as-of"), help: "Only entries recorded on or before this date (YYYY-MM-DD, UTC).")
        var asOf: String?

        @Option(help: "text, or json: one object with the entries, seconds, events per second and each phase's seconds.")
        var format: ReplayFormat = .text

        func validate() throws {
            if until != nil && asOf != nil { throw InputError("give --until or --as-of, not both") }
            if let until, until < 0 { throw InputError("--until must be a position ≥ 0") }
            if projection != "all" { _ = try Projections.named(projection) }
            if let asOf { _ = try CalendarDate(asOf) }
        }

        func run() throws {
            let hub = try hub.open(writable: true)
            let selected = projection == "all" ? Projections.all : [try Projections.named(projection)]
            let limit: ReplayLimit? = try until.map { .position($0) } ?? asOf.map { .asOf(try CalendarDate($0)) }
            let bar = ProgressBar()
            let report = try hub.projections.rebuild(selected, limit: limit) { bar.update($0) }
            bar.finish()
            let rate = report.seconds > 0 ? Double(report.entries) / report.seconds : 0
            switch format {
            case .text:
                print("replayed \(report.entries) entries into \(report.projections.joined(separator: ", "))"
                      + "\(limit.map { " (\($0))" } ?? "") in \(String(format: "%.2f", report.seconds)) s: \(Int(rate)) events/s")
            case .json:
                var json: [String: JSONValue] = [
                    "entries": .number(Double(report.entries)), "seconds": .number(Self.rounded(report.seconds)),
                    "events_per_second": .number(rate.rounded()), "projections": .array(report.projections.map { .string($0) }),
                    "phases": .object(bar.phases.mapValues { .number(Self.rounded($0)) }),
                ]
                if let limit { json["limit"] = .string("\(limit)") }
                print(String(decoding: try CanonicalJSON.encode(.object(json)), as: UTF8.self))
            }
        }

        /// Seconds to the millisecond.
        private static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a report from the read models.",
            discussion: """
                Reports: members, donations, trainings, pledges, logs, donation-register. \
                --by: members region|constituency|month; donations month|region|donor|unit|method; \
                trainings course|month|region; pledges seat|kind|election. \
                donation-register takes --year, and --quarter, --unit, --rules, --today.
                """)

        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case members, donations, trainings, pledges, logs
            case donationRegister = "donation-register"
        }

        @OptionGroup var hub: HubOptions

        @Argument(help: "members, donations, trainings, pledges, logs or donation-register.")
        var report: String

        var kind: Kind { Kind(rawValue: report) ?? .members }

        @Option(help: "How to group the rows (see above).")
        var by: String?

        @Option(help: "First date included (YYYY-MM-DD).")
        var from: String?

        @Option(help: "Last date included (YYYY-MM-DD).")
        var to: String?

        @Option(help: "table, csv or json.")
        var format: ReportFormat = .table

        @Option(help: "donation-register: the calendar year.")
        var year: Int?

        @OptionGroup var register: RegisterOptions

        func validate() throws {
            guard Kind(rawValue: report) != nil else {
                throw InputError("no report '\(report)': choose \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let by {
                guard let allowed = MusterStore.Reports.groupings[kind.rawValue], allowed.contains(by) else {
                    let options = MusterStore.Reports.groupings[kind.rawValue]?.joined(separator: "|") ?? "none"
                    throw InputError("--by \(by) does not apply to \(kind.rawValue) (choose \(options))")
                }
            }
            let period = try period()
            if let f = period.from, let t = period.to, f > t { throw InputError("--from \(f) is after --to \(t)") }
            if kind == .donationRegister {
                guard let year else { throw InputError("donation-register needs --year YYYY") }
                guard (2000...9999).contains(year) else { throw InputError("--year \(year) is not a plausible calendar year") }
                if from != nil || to != nil { throw InputError("donation-register takes --year and --quarter, not --from/--to") }
            } else {
                if year != nil || register.isGiven {
                    throw InputError("--year, --quarter, --rules and --today apply to donation-register only")
                }
            }
        }

        private func period() throws -> MusterStore.Reports.Period {
            MusterStore.Reports.Period(from: try from.map { try CalendarDate($0) }, to: try to.map { try CalendarDate($0) })
        }

        func run() throws {
            let hub = try openForReports(self.hub)
            let reports = MusterStore.Reports(engine: hub.projections)
            let by = by ?? MusterStore.Reports.groupings[kind.rawValue]?.first ?? ""
            let tables: [ReportTable]
            switch kind {
            case .members: tables = [try reports.members(by: by, period: period())]
            case .donations: tables = [try reports.donations(by: by, period: period())]
            case .trainings: tables = [try reports.trainings(by: by, period: period())]
            case .pledges: tables = [try reports.pledges(by: by, period: period())]
            case .logs: tables = [try reports.logStatus()]
            case .donationRegister:
                let ruleTable = try register.ruleSet()
                tables = DonationRegister(donations: try reports.registerDonations(), rules: ruleTable, year: year!,
                                          quarter: register.quarter, unit: register.unit.unit, today: try register.referenceDate())
                    .tables(rules: ruleTable)
            }
            print(ReportTable.render(tables, as: format.format), terminator: "")
        }
    }

    struct Digest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print each read model's digest; hubs holding the same events print the same digests.")

        @OptionGroup var hub: HubOptions

        func run() throws {
            let hub = try openForReports(self.hub)
            for d in try hub.projections.digests() {
                print("\(d.name)\t\(d.name == "all" ? "" : "v\(d.version)")\t\(d.rows) rows\t\(d.hex)")
            }
        }
    }
}

/// The options of the donation register that `muster report donation-register` and
/// `muster audit verify` share.
struct RegisterOptions: ParsableArguments {
    @Option(help: "The donation register: the quarter, 1–4.")
    var quarter: Int?

    @Option(help: "The donation register: central or accounting-unit.")
    var unit: RegisterUnit = .central

    @Option(help: "The donation register: a JSON file of dated rule sets replacing the built-in UK rules.")
    var rules: String?

    @Option(help: "The donation register: the date permissibility checks are overdue against (default: today, UTC).")
    var today: String?

    /// Whether any option that only the register takes was given (`--unit` has a default).
    var isGiven: Bool { quarter != nil || rules != nil || today != nil }

    func validate() throws {
        if let quarter, !(1...4).contains(quarter) { throw InputError("--quarter must be 1, 2, 3 or 4") }
        if let today { _ = try CalendarDate(today) }
    }

    /// The rules in `--rules`, or the built-in UK rules.
    func ruleSet() throws -> DonationRules {
        guard let rules else { return .uk }
        guard let data = FileManager.default.contents(atPath: rules) else { throw InputError("cannot read the rules file \(rules)") }
        return try DonationRules.parse(Array(data))
    }

    /// `--today`, or today (UTC).
    func referenceDate() throws -> CalendarDate { try today.map { try CalendarDate($0) } ?? Timestamp.now().date }
}

/// A mistake in a command's input, reported on one line (ArgumentParser adds the usage text to
/// its own `ValidationError`).
struct InputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `--format` of `muster report`.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
    var format: ReportTable.Format { ReportTable.Format(rawValue: rawValue)! }
}

/// `--unit` of the donation register.
enum RegisterUnit: String, ExpressibleByArgument, CaseIterable {
    case central, accountingUnit = "accounting-unit"
    var unit: DonationRegister.Unit { DonationRegister.Unit(rawValue: rawValue)! }
}

/// The replay's progress: a bar on a terminal, plain lines otherwise.
final class ProgressBar: @unchecked Sendable {
    private let progress = Progress(label: "replay")
    private let lock = NSLock()
    /// Each phase's seconds, from the first report of it to the first of the next (or the finish);
    /// the first phase from the bar's making (its first report comes after its first batch).
    private var timed: [String: Double] = [:]
    private var current: (phase: String, since: ContinuousClock.Instant)?
    private let made = ContinuousClock.now

    var phases: [String: Double] { lock.lock(); defer { lock.unlock() }; return timed }

    private func enter(_ phase: String?) {
        let now = ContinuousClock.now
        if let current, current.phase != phase {
            let d = (now - current.since).components
            timed[current.phase, default: 0] += Double(d.seconds) + Double(d.attoseconds) / 1e18
        }
        if current?.phase != phase { current = phase.map { ($0, timed.isEmpty && current == nil ? made : now) } }
    }

    func update(_ p: ReplayProgress) {
        lock.lock(); defer { lock.unlock() }
        enter(p.phase)
        let fraction = p.total > 0 ? Double(p.done) / Double(p.total) : 1
        let filled = Int(fraction * 30)
        progress.update("\(p.phase) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: 30 - filled))] "
                        + "\(Int(fraction * 100))% \(p.done)/\(p.total)")
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        enter(nil)
        progress.finish()
    }
}

/// `--format` of `muster replay`.
enum ReplayFormat: String, ExpressibleByArgument, CaseIterable { case text, json }
