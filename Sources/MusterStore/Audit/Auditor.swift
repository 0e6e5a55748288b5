public import MusterCore

/// What an audit found: per log what was verified, every finding (up to a limit), the origins
/// proven to have forked, and the movement-wide state the donation register is computed from.
public struct AuditReport: Sendable {
    /// One log as verified.
    public struct Log: Sendable {
        public let origin: String
        /// Entries read and checked.
        public var entries: UInt64 = 0
        /// The root of those entries.
        public var root: MerkleHash?
        /// Checkpoints whose signature verified.
        public var checkpoints = 0
        /// Tiles compared.
        public var tiles = 0
        /// Findings about this log.
        public var findings = 0
    }

    /// Findings kept (the rest are counted).
    public let findingLimit: Int
    public internal(set) var logs: [Log] = []
    /// Findings, in the order found, up to the auditor's limit.
    public internal(set) var findings: [AuditFinding] = []
    /// Findings beyond the limit (counted, not kept).
    public internal(set) var suppressed = 0
    /// Origins that valid evidence proves forked.
    public internal(set) var forked: [String] = []
    /// Remarks that are not findings.
    public internal(set) var notes: [String] = []
    /// The keys whose author signatures verified, with how many entries each signed.
    public internal(set) var authors: [Author] = []

    /// A key that author-signed entries.
    public struct Author: Sendable, Hashable {
        public let key: NoteVerifier
        /// Entries it signed (whose signature verified).
        public var entries: UInt64
        /// Whether it is an officer on the roster (nil: no roster to say).
        public let officer: Bool?
    }
    /// Unique ids, references and the donation ledger.
    public internal(set) var movement = MovementAudit()

    /// Counts an entry author-signed by `key`.
    mutating func signed(by key: NoteVerifier, officer: Bool?) {
        if let i = authors.firstIndex(where: { $0.key == key }) { authors[i].entries += 1 } else {
            authors.append(Author(key: key, entries: 1, officer: officer))
            authors.sort { ($0.key.name, $0.key.keyID) < ($1.key.name, $1.key.keyID) }
        }
    }

    /// Adds a remark that is not a finding.
    public mutating func note(_ text: String) { notes.append(text) }

    /// Whether nothing was found.
    public var ok: Bool { findings.isEmpty && suppressed == 0 }
    /// Entries read, over every log.
    public var entries: UInt64 { movement.entries }

    init(findingLimit: Int) { self.findingLimit = findingLimit }

    /// Adds a finding (counted only, past the limit).
    public mutating func add(_ finding: AuditFinding) {
        if let origin = finding.origin, let i = logs.firstIndex(where: { $0.origin == origin }) { logs[i].findings += 1 }
        if findings.count < findingLimit { findings.append(finding) } else { suppressed += 1 }
    }
}

/// Verifies a movement's logs from an ``AuditSource``, trusting nothing but the verifier keys it
/// is given (taken from a roster checked against the root key): every entry canonical and
/// schema-valid and in place, every tile and root, every checkpoint's signature and its root
/// against the entries (so the whole history is consistent), unique event ids, references that
/// resolve, refunds that net, author signatures by the roster's officers, and equivocation evidence. docs/VERIFYING.md lists the checks.
///
/// Entries are checked on every core, a few thousand at a time; the tree, ids and ledger are
/// folded in order. Memory stays at a few dozen bytes per entry (ids and donations) plus a batch.
public struct Auditor: Sendable {
    /// Verifier keys by origin.
    public let keys: [String: NoteVerifier]
    /// The keys that may author-sign entries.
    public let authors: AuthorTrust
    /// Findings kept (the rest are counted).
    public var findingLimit = 1_000
    /// Entry bundles checked per step.
    public var bundlesPerStep = 16
    /// Whether a reference to an event in no log is a finding. An audit of a movement's bundle
    /// says yes; a hub's check of its own store (`muster verify`) says no and notes the count,
    /// since a hub may not yet hold the latest entries of every other hub.
    public var unresolvedReferencesAreFindings = true

    /// An auditor trusting `keys` for logs and the officers of `authors` for author signatures.
    public init(keys: [String: NoteVerifier], authors: AuthorTrust = AuthorTrust(officers: nil)) {
        self.keys = keys
        self.authors = authors
    }

    /// Runs every check over `source`.
    /// - Parameter progress: hears (origin, entries done, entries in that log) now and then.
    public func run(_ source: some AuditSource, progress: (String, UInt64, UInt64) -> Void = { _, _, _ in }) async throws -> AuditReport {
        var report = AuditReport(findingLimit: findingLimit)
        let logs = try source.logs()
        report.logs = logs.map { AuditReport.Log(origin: $0.origin) }
        report.movement.reserve(Int(min(logs.reduce(UInt64(0)) { $0 &+ $1.size }, 1 << 24)))  // sizes a bundle claims: capped
        for (index, log) in logs.enumerated() {
            try await audit(log, index: index, source, into: &report, progress: progress)
        }
        for (name, json) in try source.evidence() {
            checkEvidence(name: name, json: json, into: &report)
        }
        for finding in report.movement.finish(unresolvedAreFindings: unresolvedReferencesAreFindings) { report.add(finding) }
        if report.movement.unresolved > 0 {
            report.note("\(report.movement.unresolved) references name events this hub does not hold yet (another hub's, not yet synced, or never recorded)")
        }
        return report
    }

    private func audit(_ log: AuditBundle.Manifest.Log, index: Int, _ source: some AuditSource, into report: inout AuditReport,
                       progress: (String, UInt64, UInt64) -> Void) async throws {
        let origin = log.origin
        func found(_ seq: UInt64?, _ message: String) { report.add(AuditFinding(origin: origin, seq: seq, message)) }
        let key = keys[origin]
        if key == nil { found(nil, "no hub on the roster is named \(origin): its checkpoints cannot be verified") }

        // The latest checkpoint: what the log must prove.
        var latest: CheckpointHistory.Point?
        if let note = try source.latestCheckpoint(origin: origin) {
            if let key {
                switch CheckpointHistory.open(note, origin: origin, verifier: key) {
                case .success(let point): latest = point
                case .failure(let finding): report.add(finding)
                }
            }
        } else if log.size > 0 {
            found(nil, "no checkpoint covers its \(log.size) entries")
        }
        var size = log.size
        if let latest {
            if latest.size > log.size {
                found(latest.size, "the latest checkpoint covers \(latest.size) entries but \(log.size) are held")
            } else if latest.size < log.size {
                if source.isExport {
                    found(latest.size, "the manifest says \(log.size) entries but the checkpoint covers \(latest.size)")
                    size = latest.size
                } else {
                    report.note("\(origin): \(log.size - latest.size) entries past the latest checkpoint (\(latest.size)) are not yet signed; checked, but not covered")
                }
            }
        }

        // The history: every note's signature, on every core; roots are checked as the leaves stream.
        var points: [CheckpointHistory.Point] = []
        var historyCount = 0
        do {
            var reader = try source.checkpointHistory(origin: origin)
            while true {
                let notes = try reader.next(limit: 4_096)
                if notes.isEmpty { break }
                historyCount += notes.count
                guard let key else { continue }
                let opened = try await Parallel.map(notes, minimum: 64) { _, note in
                    CheckpointHistory.open(note, origin: origin, verifier: key)
                }
                let (page, findings) = CheckpointHistory.points(opened, origin: origin, after: points.last)
                points += page
                for f in findings { report.add(f) }
            }
        } catch let finding as AuditFinding {
            report.add(finding)
        }
        report.logs[index].checkpoints = points.count
        if source.isExport, historyCount != log.checkpoints {
            found(nil, "the manifest says \(log.checkpoints) checkpoints but \(AuditBundle.historyFile) holds \(historyCount)")
        }
        if let latest {
            if let last = points.last, last.size == latest.size, last.root != latest.root {
                found(latest.size, "the checkpoint file and the history disagree at size \(latest.size): \(origin) signed two histories")
            } else if points.last?.size != latest.size, source.isExport {
                found(latest.size, "the history's last checkpoint is not the latest checkpoint")
            }
            if !points.contains(where: { $0.size == latest.size }) {
                points.append(latest)
                points.sort { $0.size < $1.size }
            }
        }

        // The entries, bundle by bundle.
        var tree = OriginAudit(origin: origin, checkpoints: points)
        let bundles = TlogTile.tiles(treeSize: size).filter { $0.level == 0 }
        var stopped = false
        var next = 0
        // A step's entries are checked on every core while the step before is folded in order
        // and the next one is read: reading and folding do not wait for checking, nor it for them.
        var checking: (raw: [(UInt64, [UInt8])], checked: Task<[AuditedEntry], any Error>)?
        func fold(_ raw: [(UInt64, [UInt8])], _ checked: [AuditedEntry]) throws {
            // By index: the entries are read in place, not copied out (an entry is a few hundred bytes).
            for i in checked.indices {
                let seq = raw[i].0
                for problem in checked[i].problems { found(seq, problem) }
                if let author = checked[i].author {
                    report.signed(by: author, officer: authors.isOfficer(author))
                    if let problem = authors.problem(author) { found(seq, problem) }
                }
                tree.append(checked[i].leaf)
                if let duplicate = report.movement.add(checked[i], origin: origin, seq: seq) { report.add(duplicate) }
            }
            report.logs[index].tiles += try compareTiles(tree.drainTiles(final: false), origin: origin, source, into: &report)
            progress(origin, tree.appender.size, size)
        }
        while next < bundles.count, !stopped {
            let step = bundles[next..<min(bundles.count, next + bundlesPerStep)]
            next += step.count
            var raw: [(UInt64, [UInt8])] = []
            for bundle in step {
                do {
                    for (i, bytes) in try source.entries(origin: origin, bundle: bundle).enumerated() {
                        raw.append((bundle.firstNodeIndex + UInt64(i) + 1, bytes))
                    }
                } catch let finding as AuditFinding {
                    report.add(finding)
                    stopped = true
                    break
                }
            }
            let items = raw
            let task = Task { try await Parallel.map(items, minimum: 256) { _, item in AuditedEntry.check(item.1, origin: origin, seq: item.0) } }
            if let previous = checking { try fold(previous.raw, try await previous.checked.value) }
            checking = (raw, task)
        }
        if let last = checking { try fold(last.raw, try await last.checked.value) }
        report.logs[index].entries = tree.appender.size
        if stopped {
            found(tree.appender.size + 1, "the rest of this log could not be read; its tree and checkpoints were not checked past seq \(tree.appender.size)")
            return
        }
        tree.finish()
        for finding in tree.findings { report.add(finding) }
        report.logs[index].tiles += try compareTiles(tree.drainTiles(final: true), origin: origin, source, into: &report)
        report.logs[index].root = tree.appender.rootHash
    }

    private func compareTiles(_ tiles: [(tile: TlogTile, hashes: [MerkleHash])], origin: String, _ source: some AuditSource,
                              into report: inout AuditReport) throws -> Int {
        for (tile, hashes) in tiles {
            var expected: [UInt8] = []
            expected.reserveCapacity(hashes.count * 32)
            for hash in hashes { expected += hash.bytes }
            let seq = (tile.firstNodeIndex << UInt64(tile.nodeLevel)) + 1
            guard let held = try source.tile(origin: origin, tile) else {
                report.add(AuditFinding(origin: origin, seq: seq, "tile \(tile.path) is missing"))
                continue
            }
            if held != expected {
                report.add(AuditFinding(origin: origin, seq: seq, "tile \(tile.path) does not hold the hashes of the entries"))
            }
        }
        return tiles.count
    }

    private func checkEvidence(name: String, json: [UInt8], into report: inout AuditReport) {
        let evidence: EquivocationEvidence
        do { evidence = try EquivocationEvidence(json: CanonicalJSON.parse(json)) } catch {
            return report.add(AuditFinding(origin: nil, "\(name) is not equivocation evidence: \(error)"))
        }
        guard let key = keys[evidence.origin] else {
            return report.add(AuditFinding(origin: evidence.origin, "\(name) is about an origin that is not on the roster"))
        }
        do {
            try evidence.verify(with: key)
            if !report.forked.contains(evidence.origin) { report.forked.append(evidence.origin) }
            report.add(AuditFinding(origin: evidence.origin, "FORKED: \(name) proves two inconsistent checkpoints signed by \(evidence.origin)"))
        } catch {
            report.add(AuditFinding(origin: evidence.origin, "\(name) does not verify: \(error)"))
        }
    }
}
