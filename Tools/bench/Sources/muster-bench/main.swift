// muster-bench: the Muster side of Tools/bench/run. Each workload prints one JSON line on stdout.
//
//   muster-bench bulk-append       --events N [--chunk 4096] --dir D
//   muster-bench concurrent-append --events N [--writers 64] --dir D
//   muster-bench profile-bulk      --events N [--chunk 4096] --dir D   (where the bulk time goes)
//   muster-bench replay            --events N [--chunk 4096] --dir D
//   muster-bench sync              --events N [--chunk 4096] --dir D   (a hub pulls N entries from a peer)
//   muster-bench audit             --events N [--chunk 4096] --dir D   (verify an exported bundle of N entries)
//
// D must not exist or be empty: a new hub is created there.
import Foundation
import MusterCore
import MusterStore
import MusterSync
import MusterTesting
import Logging
import Synchronization
import ServiceLifecycle

struct Options {
    var command = ""
    var events = 0
    var writers = 64
    var chunk = 4096
    var dir = ""

    init(_ arguments: [String]) throws {
        var args = arguments.dropFirst()
        guard let command = args.popFirst() else { throw BenchError.usage }
        self.command = command
        while let flag = args.popFirst() {
            guard let value = args.popFirst() else { throw BenchError.usage }
            switch flag {
            case "--events": events = Int(value) ?? 0
            case "--writers": writers = Int(value) ?? 0
            case "--chunk": chunk = Int(value) ?? 0
            case "--dir": dir = value
            default: throw BenchError.usage
            }
        }
        guard events > 0, writers > 0, chunk > 0, !dir.isEmpty else { throw BenchError.usage }
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage
    case failed(String)
    var description: String {
        switch self {
        case .usage: "usage: muster-bench bulk-append|concurrent-append|profile-bulk|replay|sync|audit --events N [--writers W] [--chunk C] --dir D"
        case .failed(let why): why
        }
    }
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// Peak resident set size of this process so far (VmHWM), in kB.
func peakRSSKB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }
    return -1
}

/// One JSON line; keys in a fixed order, numbers rounded for reading.
func emit(_ fields: [(String, Any)]) {
    let parts = fields.map { key, value -> String in
        let rendered: String
        switch value {
        case let d as Double: rendered = String(format: "%.3f", d)
        case let s as String: rendered = "\"\(s)\""
        default: rendered = "\(value)"
        }
        return "\"\(key)\":\(rendered)"
    }
    print("{" + parts.joined(separator: ",") + "}")
}

func check(_ outcome: AppendOutcome) throws {
    guard case .appended = outcome else { throw BenchError.failed("append did not happen: \(outcome)") }
}

/// The durability SQLite reports on the hub's writer connection, and how commits are made.
func durability(_ hub: Hub, _ commits: String) throws -> String {
    let d = try hub.store.durability()
    return "SQLite journal_mode=\(d.journalMode), synchronous=\(d.synchronous) (2=FULL), \(commits)"
}

func verifySize(_ hub: Hub, _ expected: Int) throws {
    let size = try hub.store.origins().first { $0.isLocal }?.size ?? 0
    guard size == UInt64(expected) else { throw BenchError.failed("log holds \(size) entries, expected \(expected)") }
}

/// Bulk append: drafts are made chunk by chunk (never all in memory, each chunk on every core)
/// and pulled by `recordBulk(pulling:)`, which checks and seals chunk k+1 while chunk k is
/// appended, as an importer would use it. The time is the import's, to its last durable chunk;
/// the read models' catch-up, which an import leaves to its end, is timed apart after it
/// (`read_models_seconds`), and the rate with it reported too.
func bulkAppend(_ o: Options) async throws {
    let hub = try Hub.create(directory: DataDirectory(path: o.dir), origin: "bench.example.org/hub/bulk")
    let clock = ContinuousClock()
    let started = clock.now
    try await record(hub, o)
    let elapsed = seconds(clock.now - started)
    try verifySize(hub, o.events)
    let t1 = clock.now
    try hub.settleProjections()
    let readModels = seconds(clock.now - t1)
    emit([("workload", "bulk-append"), ("impl", "muster"), ("events", o.events), ("seconds", elapsed),
          ("events_per_second", Double(o.events) / elapsed), ("chunk", o.chunk),
          ("read_models_seconds", readModels), ("events_per_second_with_read_models", Double(o.events) / (elapsed + readModels)),
          ("peak_rss_kb_self", peakRSSKB()),
          ("durability", try durability(hub, "one signed checkpoint per chunk"))])
}

/// Records `o.events` bench drafts into `hub` through the pulling bulk import.
func record(_ hub: Hub, _ o: Options) async throws {
    let factory = DraftFactory(blindIndex: hub.blindIndex)
    let next = Mutex(0)
    let events = o.events, chunk = o.chunk
    try await hub.recordBulk(pulling: {
        let start = next.withLock { n in
            defer { n = min(events, n + chunk) }
            return n
        }
        guard start < events else { return nil }
        return try await Parallel.map(Array(start..<min(events, start + chunk)), minimum: 256) { _, i in try factory.draft(i) }
    }, each: { outcomes in for outcome in outcomes { try check(outcome) } })
}

/// Records `o.events` bulk-append events into `hub` (untimed setup) and brings its read models up to date.
func fill(_ hub: Hub, _ o: Options, settle: Bool = true) async throws {
    try await record(hub, o)
    if settle { try hub.settleProjections() }
}

/// Resets this process's peak RSS (VmHWM), so a phase's own peak can be read after it.
func resetPeakRSS() {
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
}

/// Replay: a hub holding `events` entries (made with bulk append first, not timed) rebuilds every
/// read model from its log. Timed as an operator runs it — the command `muster replay --format
/// json`, a child process on the closed data directory, its figures the rebuild's own (from its
/// JSON) and its peak memory the child's — and, beside that, inside this process, which made the
/// hub (`in_process_*`: the rebuild right after the import, in the importing process's heap;
/// VmHWM reset after the setup).
func replay(_ o: Options) async throws {
    let origin = "bench.example.org/hub/replay"
    let inProcess = try await { () async throws -> (seconds: Double, rssKB: Int, setupKB: Int, phases: String, rows: Int) in
        let hub = try Hub.create(directory: DataDirectory(path: o.dir), origin: origin)
        try await fill(hub, o)
        resetPeakRSS()
        let setupRSS = peakRSSKB()
        let phases = PhaseClock()
        let report = try hub.projections.rebuild { phases.enter($0.phase) }
        phases.enter("swap")
        guard report.entries == Int64(o.events) else { throw BenchError.failed("replayed \(report.entries) entries, expected \(o.events)") }
        let digests = try hub.projections.digests()
        return (report.seconds, peakRSSKB(), setupRSS, phases.summary, Int(digests.last!.rows))
    }()
    // The hub is closed (its writer lock released): the command opens the directory as an operator
    // would. It runs three times (the setup is most of this workload's time, a run a few seconds),
    // and the median run is reported, with every run's seconds: this machine varies by a third
    // from one run to the next.
    var runs: [(seconds: Double, phases: String, peakKB: Int)] = []
    for _ in 0..<3 {
        let (printed, status, childPeakKB) = try runTimedChild(["replay", "--data-dir", o.dir, "--format", "json"], timeFile: o.dir + "/replay-child.time")
        let result = try CanonicalJSON.parse(Array(printed))
        guard status == 0, result["entries"]?.integerValue == Int64(o.events), let secondsValue = result["seconds"], case .number(let seconds) = secondsValue else {
            throw BenchError.failed("muster replay exited \(status): \(String(decoding: printed.prefix(400), as: UTF8.self))")
        }
        let phases = (result["phases"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
            .map { "\($0.key)=\(String(format: "%.2f", $0.value.numberValue ?? 0))s" }.joined(separator: " ")
        runs.append((seconds, phases, childPeakKB))
    }
    let median = runs.sorted { $0.seconds < $1.seconds }[1]
    let (seconds, phases) = (median.seconds, median.phases)
    emit([("workload", "replay"), ("impl", "muster"), ("events", o.events), ("seconds", seconds),
          ("events_per_second", Double(o.events) / seconds), ("peak_rss_kb_phase", runs.map(\.peakKB).max() ?? 0),
          ("measured", "muster replay --format json, a child process on the closed data directory, three runs; the median run's own seconds"),
          ("runs_seconds", runs.map { String(format: "%.2f", $0.seconds) }.joined(separator: " ")),
          ("phases", phases), ("read_model_rows", inProcess.rows), ("projections", Projections.all.map(\.name).joined(separator: " ")),
          ("in_process_seconds", inProcess.seconds), ("in_process_events_per_second", Double(o.events) / inProcess.seconds),
          ("in_process_peak_rss_kb", inProcess.rssKB), ("in_process_rss_kb_before", inProcess.setupKB),
          ("in_process_phases", inProcess.phases)])
}

/// Runs the `muster` command beside this benchmark with `arguments`, under GNU time for its peak
/// memory: its standard output, exit status and peak RSS in kB.
///
/// The child's peak memory comes from GNU time, which forks before it execs. The kernel starts a
/// child's maxrss at its parent's high-water mark when the parent spawned it with vfork
/// (posix_spawn does), so getrusage here would report this process's own
/// peak for the child.
func runTimedChild(_ arguments: [String], timeFile: String) throws -> (output: Data, status: Int32, peakKB: Int) {
    let cli = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("muster")
    guard FileManager.default.isExecutableFile(atPath: cli.path) else {
        throw BenchError.failed("\(cli.path) is missing: build the muster product beside muster-bench")
    }
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else {
        throw BenchError.failed("/usr/bin/time is missing: install Debian's time package (Tools/bench/run does)")
    }
    let child = try ChildProcess("/usr/bin/time", ["-f", "%M", "-o", timeFile, cli.path] + arguments, stderr: .inherit)
    let status = child.waitUntilExit()
    let printed = child.output()
    guard let timed = try? String(contentsOfFile: timeFile, encoding: .utf8),
          let peakKB = timed.split(separator: "\n").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
        throw BenchError.failed("/usr/bin/time did not report the peak memory of muster \(arguments.first ?? "") in \(timeFile)")
    }
    return (printed, status, peakKB)
}

/// Audit: a hub holding `events` entries (bulk-appended, not timed) exports its bundle (timed on
/// its own); then the bundle is verified by the real command, `muster audit verify DIR --vkey K
/// --format json`, run as a child process and timed from its start to its exit: every entry
/// canonical and schema-valid, every tile, root and checkpoint signature, unique ids, references,
/// and the donation register recomputed. Its peak memory is the child's own. The same checks are
/// run in this process too, over the bundle and over the hub's data directory, for comparison.
func audit(_ o: Options) async throws {
    let hub = try Hub.create(directory: DataDirectory(path: o.dir + "/hub"), origin: "bench.example.org/hub/audit")
    // Settled, so no background catch-up of the read models shares the cores with the audit.
    try await fill(hub, o)
    let clock = ContinuousClock()
    let bundle = URL(fileURLWithPath: o.dir + "/bundle")
    let t0 = clock.now
    let exported = try BundleExporter(hub: hub).export(to: bundle)
    let exportSeconds = seconds(clock.now - t0)

    // The command, as an auditor runs it.
    let t1 = clock.now
    let (printed, status, childPeakKB) = try runTimedChild(["audit", "verify", bundle.path, "--vkey", hub.verifier.vkey, "--format", "json"],
                                                           timeFile: o.dir + "/audit-child.time")
    let elapsed = seconds(clock.now - t1)
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
    let result = try CanonicalJSON.parse(Array(printed))
    guard status == 0, result["ok"] == .bool(true), result["entries"]?.integerValue == Int64(o.events) else {
        throw BenchError.failed("muster audit verify exited \(status): \(String(decoding: printed.prefix(400), as: UTF8.self))")
    }

    // The same checks in this process (which made the hub and the bundle).
    let auditor = Auditor(keys: [hub.origin: hub.verifier])
    let t2 = clock.now
    let report = try await auditor.run(BundleDirectory(path: bundle.path))
    _ = report.movement.ledger.registers(rules: .uk, today: Timestamp.now().date)
    let inProcessSeconds = seconds(clock.now - t2)
    guard report.ok, report.entries == UInt64(o.events) else {
        throw BenchError.failed("audit of \(report.entries) entries: \(report.findings.first.map(String.init(describing:)) ?? "entries missing")")
    }
    let t3 = clock.now
    let store = try await auditor.run(StoreAuditSource(store: hub.store, label: o.dir))
    let storeSeconds = seconds(clock.now - t3)
    guard store.ok else { throw BenchError.failed("audit of the data directory found \(store.findings.count) findings") }
    emit([("workload", "audit"), ("impl", "muster"), ("events", o.events), ("seconds", elapsed),
          ("events_per_second", Double(o.events) / elapsed), ("peak_rss_kb_phase", childPeakKB),
          ("child_user_seconds", cpuSeconds(usage.ru_utime)), ("child_sys_seconds", cpuSeconds(usage.ru_stime)),
          ("measured", "muster audit verify DIR --vkey K --format json, a child process, start to exit"),
          ("export_seconds", exportSeconds), ("bundle_files", exported.files),
          ("registers", result["registers"]?.arrayValue?.count ?? -1), ("donations", result["donations"]?.integerValue ?? -1),
          ("in_process_events_per_second", Double(o.events) / inProcessSeconds),
          ("data_dir_events_per_second", Double(o.events) / storeSeconds)])
}

/// A `timeval` of CPU time in seconds.
func cpuSeconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }

/// Sync: hub A holds `events` entries (bulk-appended first, not timed) and serves on loopback;
/// hub B, under one roster, pulls them all over HTTP — every request signed, every entry checked
/// (canonical, schema-valid, in place), the tree recomputed and proven against A's signed
/// checkpoint, one transaction per batch — then catches its read models up. Both hubs run in this
/// process, so the peak memory counts A's serving too.
func syncPull(_ o: Options) async throws {
    let root = try NoteSigner.generate(name: "bench.example.org")
    let a = try Hub.create(directory: DataDirectory(path: o.dir + "/a"), origin: "bench.example.org/hub/a")
    let b = try Hub.create(directory: DataDirectory(path: o.dir + "/b"), origin: "bench.example.org/hub/b")
    try await fill(a, o)
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let port = Mutex<Int?>(nil)
    let services = HubService.services(hub: a, host: "127.0.0.1", port: 0, sync: false, logger: logger) { p in port.withLock { $0 = p } }
    let group = ServiceGroupRunner(services: services, logger: logger)
    defer { Task { await group.stop() } }
    while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(5)) }
    let url = "http://127.0.0.1:\(port.withLock { $0 }!)"
    let note = try Roster(movement: root.name, version: 1, members: [
        Roster.Member(name: a.origin, verifier: a.verifier, url: url, role: .hub),
        Roster.Member(name: b.origin, verifier: b.verifier, url: nil, role: .hub),
    ]).sign(with: root)
    try a.installRoster(note: note, root: root.verifier)
    try b.installRoster(note: note, root: root.verifier)
    resetPeakRSS()
    let clock = ContinuousClock()
    let started = clock.now
    let client = PeerClient(url: url, signer: try b.directory.logSigner())
    let report = try await Synchronizer(hub: b, logger: logger).round(with: client, name: "a")
    let pulled = clock.now
    try b.settleProjections()
    let caughtUp = clock.now
    let elapsed = seconds(caughtUp - started)
    guard report.errors.isEmpty, report.total == UInt64(o.events) else {
        throw BenchError.failed("pulled \(report.total) of \(o.events): \(report.errors)")
    }
    let same = try a.projections.digests().last?.hex == b.projections.digests().last?.hex
    // Then the subjects' keys, over their own channel (not part of the entries' rate).
    let keysStarted = clock.now
    let keys = try await Synchronizer(hub: b, logger: logger).pullKeys(from: client, name: a.origin)
    let keysSeconds = seconds(clock.now - keysStarted)
    guard keys == (try a.keys.counts().keys) else { throw BenchError.failed("received \(keys) subject keys of \(try a.keys.counts().keys)") }
    emit([("workload", "sync"), ("impl", "muster"), ("events", o.events), ("seconds", elapsed),
          ("events_per_second", Double(o.events) / elapsed), ("pull_seconds", seconds(pulled - started)),
          ("catch_up_seconds", seconds(caughtUp - pulled)), ("peak_rss_kb_phase", peakRSSKB()),
          ("read_models_match", same ? "yes" : "NO"), ("subject_keys", keys), ("subject_keys_seconds", keysSeconds),
          ("subject_keys_per_second", Double(keys) / keysSeconds)])
}

/// Runs services in the background until stopped.
final class ServiceGroupRunner: Sendable {
    let group: ServiceGroup
    init(services: [any Service], logger: Logger) {
        group = ServiceGroup(services: services, logger: logger)
        Task { [group] in try await group.run() }
    }
    func stop() async { await group.triggerGracefulShutdown() }
}

/// Time spent in each phase a rebuild reports, in order.
final class PhaseClock: @unchecked Sendable {
    private var current: (name: String, since: ContinuousClock.Instant)?
    private var spent: [(String, Double)] = []
    func enter(_ phase: String) {
        if current?.name == phase { return }
        let now = ContinuousClock.now
        if let c = current { spent.append((c.name, seconds(now - c.since))) }
        current = (phase, now)
    }
    var summary: String { spent.map { "\($0.0)=\(String(format: "%.2f", $0.1))s" }.joined(separator: " ") }
}

/// A counter the writer tasks share.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

/// Concurrent append: `writers` tasks each record one event at a time (join, then that member's
/// donation) until `events` are recorded; group commit batches them.
func concurrentAppend(_ o: Options) async throws {
    let hub = try Hub.create(directory: DataDirectory(path: o.dir), origin: "bench.example.org/hub/concurrent")
    let factory = DraftFactory(blindIndex: hub.blindIndex)
    let nextPair = Counter()
    let total = o.events
    let clock = ContinuousClock()
    let started = clock.now
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
        for _ in 0..<o.writers {
            group.addTask {
                var mine: [Double] = []
                while true {
                    let pair = nextPair.value.add(1, ordering: .relaxed).oldValue
                    guard pair * 2 < total else { break }
                    for index in (pair * 2)..<min(total, pair * 2 + 2) {
                        let draft = try factory.draft(index)
                        let t0 = clock.now
                        try check(try await hub.record(draft))
                        mine.append(seconds(clock.now - t0))
                    }
                }
                return mine
            }
        }
        var all: [Double] = []
        all.reserveCapacity(total)
        for try await part in group { all += part }
        return all.sorted()
    }
    let elapsed = seconds(clock.now - started)
    // How far the read models trail the log when the last append returns (their catch-up runs in
    // the background, on a thread of its own), and how long they then take to catch up.
    let behind = Int64(total) - (try hub.projections.status().map(\.position).min() ?? 0)
    let settleStart = clock.now
    try hub.settleProjections()
    let settle = seconds(clock.now - settleStart)
    try verifySize(hub, total)
    func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000 }
    let batches = try hub.store.checkpoints(origin: hub.origin).count
    emit([("workload", "concurrent-append"), ("impl", "muster"), ("events", total), ("seconds", elapsed),
          ("events_per_second", Double(total) / elapsed), ("writers", o.writers), ("commits", batches),
          ("mean_batch", Double(total) / Double(max(1, batches))), ("p50_ms", percentile(0.5)), ("p99_ms", percentile(0.99)),
          ("read_models_behind_at_end", behind), ("read_models_settle_seconds", settle),
          ("peak_rss_kb_self", peakRSSKB()),
          ("durability", try durability(hub, "group commit, one signed checkpoint per commit"))])
}

/// Where the bulk time goes: the same work as `recordBulk`, stage by stage, each on one core.
func profileBulk(_ o: Options) async throws {
    let hub = try Hub.create(directory: DataDirectory(path: o.dir), origin: "bench.example.org/hub/profile")
    let factory = DraftFactory(blindIndex: hub.blindIndex)
    let clock = ContinuousClock()
    var t = (draft: Duration.zero, prepare: Duration.zero, keys: Duration.zero, assemble: Duration.zero, append: Duration.zero)
    var bytes = 0, assembled = 0
    var next = 0
    let started = clock.now
    while next < o.events {
        let end = min(o.events, next + o.chunk)
        let t0 = clock.now
        let drafts = try (next..<end).map { try factory.draft($0) }
        let t1 = clock.now
        // Schema checks, sealing, and a provisional encode, as PreparedEntry.init does.
        let prepared = try drafts.map { try PreparedEntry($0, origin: hub.origin, keys: hub.keys) }
        let t2 = clock.now
        try hub.keys.flushPending()
        let t3 = clock.now
        // Final encode + leaf hash alone (the store repeats this inside its transaction).
        for (i, p) in prepared.enumerated() where i % 8 == 0 {
            let entry = try p.assemble(seq: UInt64(next + i + 1), recordedAt: Timestamp.now(), hlc: HLCStamp(wallMillis: 0, counter: 0))
            bytes += entry.bytes.count
            assembled += 1
            _ = entry.leafHash
        }
        let t4 = clock.now
        for outcome in try await hub.store.append(prepared.map { AppendRequest($0) }) { try check(outcome) }
        let t5 = clock.now
        t.draft += t1 - t0; t.prepare += t2 - t1; t.keys += t3 - t2; t.assemble += t4 - t3; t.append += t5 - t4
        next = end
    }
    let elapsed = seconds(clock.now - started)
    // Inside PreparedEntry.init and the store, on a sample, one stage at a time (single core).
    let sample = try (0..<min(o.events, 20_000)).map { try factory.draft($0 + 10_000_000) }
    let keys = InMemorySubjectKeyStore()
    func perEvent(_ body: () throws -> Void) rethrows -> Double {
        let t0 = clock.now
        try body()
        return seconds(clock.now - t0) / Double(sample.count) * 1e6
    }
    let blindUS = perEvent { for i in sample.indices { _ = hub.blindIndex.email("someone.\(i)@example.org") } }
    let draftUS = perEvent { for i in sample.indices { _ = try? factory.draft(i + 10_000_000) } }
    let ids = sample.map { _ in EventID.generate(unixMillis: 1_760_000_000_000) }
    let sealUS = try perEvent {
        for (d, id) in zip(sample, ids) { _ = try SealedPayload.seal(d.personal!, key: keys.keyForSealing(d.subject!), origin: hub.origin, id: id) }
    }
    let preparedSample = try sample.map { try PreparedEntry($0, origin: hub.origin, keys: keys) }
    let prepareUS = try perEvent { for d in sample { _ = try PreparedEntry(d, origin: hub.origin, keys: keys) } }
    let envelopes = preparedSample.map { $0.envelope(seq: 1, recordedAt: Timestamp.now(), hlc: HLCStamp(wallMillis: 0, counter: 0)) }
    let validateEncodeUS = try perEvent { for e in envelopes { _ = try Entry.encode(e) } }
    let envelopeJSONUS = perEvent { for e in envelopes { _ = e.json } }
    let jsons = envelopes.map(\.json)
    let canonicalUS = try perEvent { for j in jsons { _ = try CanonicalJSON.encode(j) } }
    let entries = try envelopes.map { try Entry.encode($0) }
    let hashUS = perEvent { for e in entries { _ = e.leafHash } }
    let assembleFull = seconds(t.assemble) * Double(o.events) / Double(max(1, assembled))
    func rate(_ d: Duration) -> Double { Double(o.events) / max(1e-9, seconds(d)) }
    emit([("workload", "profile-bulk"), ("impl", "muster"), ("events", o.events), ("seconds", elapsed),
          ("draft_s", seconds(t.draft)), ("draft_per_s", rate(t.draft)),
          ("prepare_s", seconds(t.prepare)), ("prepare_per_s", rate(t.prepare)),
          ("key_flush_s", seconds(t.keys)),
          ("assemble_s_est", assembleFull), ("assemble_per_s", Double(o.events) / max(1e-9, assembleFull)),
          ("store_append_s", seconds(t.append)), ("store_append_per_s", rate(t.append)),
          ("mean_entry_bytes", bytes / max(1, assembled)), ("peak_rss_kb_self", peakRSSKB()),
          ("us_blind_index", blindUS), ("us_draft", draftUS), ("us_seal", sealUS), ("us_prepared_entry_init", prepareUS),
          ("us_entry_encode_validate", validateEncodeUS), ("us_envelope_json", envelopeJSONUS),
          ("us_canonical_encode", canonicalUS), ("us_leaf_hash", hashUS)])
}

AllocatorPolicy.apply()  // as `muster` does
do {
    let options = try Options(CommandLine.arguments)
    switch options.command {
    case "bulk-append": try await bulkAppend(options)
    case "concurrent-append": try await concurrentAppend(options)
    case "profile-bulk": try await profileBulk(options)
    case "replay": try await replay(options)
    case "sync": try await syncPull(options)
    case "audit": try await audit(options)
    default: throw BenchError.usage
    }
} catch {
    FileHandle.standardError.write(Data("muster-bench: \(error)\n".utf8))
    exit(1)
}
