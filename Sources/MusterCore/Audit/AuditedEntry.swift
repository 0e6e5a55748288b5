/// What an auditor keeps of one entry after checking it on its own: its leaf hash, its id and
/// kind, the event it refers to, its donation fact, and what is wrong with it. Checking entries
/// is independent work, done on every core; what spans entries (the tree, unique ids,
/// references) is done in order by ``OriginAudit`` and ``MovementAudit``.
public struct AuditedEntry: Sendable {
    /// The kinds of entry other entries may refer to.
    public enum Kind: UInt8, Sendable, Hashable {
        case other, donationReceived, pledgeMade

        /// The event type a reference must name ("any entry" for `.other`).
        var label: String {
            switch self {
            case .other: return "entry"
            case .donationReceived: return DonationReceived.schema.type
            case .pledgeMade: return PledgeMade.schema.type
            }
        }
    }

    /// A payload member naming an earlier event.
    public struct Reference: Sendable, Hashable {
        /// The payload member, e.g. `donation`.
        public let member: String
        public let target: IDKey
        /// The kind the target must be (`.other`: any entry but the referrer).
        public let required: Kind
    }

    public let leaf: MerkleHash
    /// The event id, when the entry could be read.
    public private(set) var id: IDKey?
    public private(set) var kind: Kind = .other
    public private(set) var reference: Reference?
    public private(set) var fact: DonationLedger.Fact?
    /// The key whose author signature on the entry verified, if it carries one that does.
    public private(set) var author: NoteVerifier?
    /// What is wrong with the entry on its own (empty when nothing is).
    public private(set) var problems: [String] = []

    /// The payload member that refers to an earlier event, and what it must name, by role.
    static func reference(of role: EventCatalog.Role) -> (member: StaticString, required: Kind)? {
        switch role {
        case .voided: return ("target", .other)
        case .donationChecked, .donationAccepted, .donationReturned, .donationRefunded: return ("donation", .donationReceived)
        case .pledgeFulfilled, .pledgeWithdrawn: return ("pledge", .pledgeMade)
        case .other, .donationReceived, .pledgeMade: return nil
        }
    }

    /// Checks the entry at `seq` of `origin`: canonical JSON, schema-valid, in its place, its
    /// author signature (if any) valid; and reads what the movement-wide checks need.
    public static func check(_ bytes: [UInt8], origin: String, seq: UInt64) -> AuditedEntry {
        var audited = AuditedEntry(leaf: MerkleHash.leafHash(bytes))
        let checked: CheckedEntry
        do { checked = try CheckedEntry(bytes) } catch {
            audited.problems.append(error.reason)
            return audited
        }
        // The schema has checked every envelope member; they are read here without building an Envelope.
        let role = checked.role
        checked.read { entry in
            let fields = Fields(entry, role: role)
            if fields.seq != seq { audited.problems.append("entry says seq \(fields.seq) but is at seq \(seq)") }
            if !entry.has("origin", equalTo: origin) { audited.problems.append("entry says origin '\(fields.origin)'") }
            audited.id = entry.idKey("id")
            switch role {
            case .donationReceived: audited.kind = .donationReceived
            case .pledgeMade: audited.kind = .pledgeMade
            default: break
            }
            if let rule = reference(of: role) {
                if let target = entry.idKey("payload", rule.member) {
                    audited.reference = Reference(member: rule.member.description, target: target, required: rule.required)
                } else {
                    audited.problems.append("payload.\(rule.member) does not name an event id")
                }
            }
            audited.fact = DonationLedger.fact(fields)
        }
        if AuthorSignature.isSigned(bytes) {
            let (problem, key) = AuthorSignature.check(bytes)
            if let problem { audited.problems.append(problem) } else { audited.author = key }
        }
        return audited
    }

    /// The envelope members the audit reads, from a checked entry's reader (valid as long as it is).
    /// Text members are read when asked for, so checking an entry makes no strings it need not.
    public struct Fields {
        public let seq: UInt64
        public let hlc: HLCStamp
        /// What the entry's type means to the cross-entry checks.
        public let role: EventCatalog.Role
        /// The entry, for its other members.
        public let entry: CheckedEntry.Reader

        /// Reads them (absent members read as empty, which no later check accepts).
        public init(_ entry: CheckedEntry.Reader, role: EventCatalog.Role) {
            self.entry = entry
            self.role = role
            seq = UInt64(clamping: entry.integer("seq") ?? 0)
            hlc = HLCStamp(wallMillis: entry.integer("hlc", "wall") ?? 0, counter: entry.integer("hlc", "count") ?? 0)
        }

        public var id: String { entry.string("id") ?? "" }
        public var origin: String { entry.string("origin") ?? "" }

        /// The payload's string member `name` (or its member `sub`), or nil.
        public func payloadString(_ name: StaticString, _ sub: StaticString? = nil) -> String? {
            entry.string("payload", name, sub)
        }

        /// The payload's integer member `name` (or its member `sub`), or nil.
        public func payloadInteger(_ name: StaticString, _ sub: StaticString? = nil) -> Int64? {
            entry.integer("payload", name, sub)
        }
    }

    private init(leaf: MerkleHash) { self.leaf = leaf }
}

/// The checks that span a movement's logs: event ids unique across every log, references that
/// name an entry of the right type, and the donation ledger the register is recomputed from.
public struct MovementAudit: Sendable {
    private struct Place: Sendable {
        var kind: AuditedEntry.Kind
        var origin: UInt32
        var seq: UInt64
    }

    private struct PendingReference: Sendable {
        var from: Place
        var id: IDKey
        var reference: AuditedEntry.Reference
    }

    private var places: [IDKey: Place] = [:]
    private var origins: [String] = []
    private var originIndex: [String: UInt32] = [:]
    /// The origin of the entry before (entries come log by log).
    private var lastOrigin: (name: String, index: UInt32)?
    private var pending: [PendingReference] = []
    /// The donations, for the register.
    public private(set) var ledger = DonationLedger()
    /// Entries taken.
    public private(set) var entries: UInt64 = 0
    /// References to events in no log taken, when ``finish(unresolvedAreFindings:)`` was told
    /// they are not findings.
    public private(set) var unresolved = 0

    /// An empty audit.
    public init() {}

    /// Takes one checked entry of `origin` at `seq`; returns a finding when its id was seen before.
    public mutating func add(_ entry: AuditedEntry, origin: String, seq: UInt64) -> AuditFinding? {
        entries += 1
        if let fact = entry.fact { ledger.add(fact) }
        guard let id = entry.id else { return nil }
        let index: UInt32
        if let last = lastOrigin, last.name == origin { index = last.index } else if let known = originIndex[origin] {
            index = known
            lastOrigin = (origin, known)
        } else {
            index = UInt32(origins.count)
            origins.append(origin)
            originIndex[origin] = index
            lastOrigin = (origin, index)
        }
        let place = Place(kind: entry.kind, origin: index, seq: seq)
        if let reference = entry.reference { pending.append(PendingReference(from: place, id: id, reference: reference)) }
        if let earlier = places.updateValue(place, forKey: id) {
            places[id] = earlier
            return AuditFinding(origin: origin, seq: seq, "event id \(id) is also entry \(earlier.seq) of \(origins[Int(earlier.origin)])")
        }
        return nil
    }

    /// Room for `count` entries, so the id table is not rebuilt as it grows; the ledger gets room
    /// for half as many donations (a movement's entries are not mostly donations, and a table
    /// that does outgrow it is rebuilt once).
    public mutating func reserve(_ count: Int) {
        places.reserveCapacity(count)
        ledger.reserve(donations: count / 2)
    }

    /// References that name no entry, or an entry of the wrong type, and refunds that cannot be
    /// netted; call once every log has been taken. It frees the id table and the references (the
    /// ledger stays, for the register).
    /// - Parameter unresolvedAreFindings: whether a reference to an event in no log is a finding
    ///   (an audit of a whole movement), or only counted in ``unresolved`` (a hub's own store,
    ///   which may not hold another hub's latest entries yet).
    public mutating func finish(unresolvedAreFindings: Bool = true) -> [AuditFinding] {
        defer { places = [:]; pending = [] }
        let (findings, unresolved) = cross(unresolvedAreFindings: unresolvedAreFindings)
        if !unresolvedAreFindings { self.unresolved = unresolved }
        return findings
    }

    /// What ``finish(unresolvedAreFindings:)`` returns, keeping the tables.
    public func crossFindings(unresolvedAreFindings: Bool = true) -> [AuditFinding] {
        cross(unresolvedAreFindings: unresolvedAreFindings).findings
    }

    /// The cross-log findings, and how many references name an event in no log.
    private func cross(unresolvedAreFindings: Bool) -> (findings: [AuditFinding], unresolved: Int) {
        var findings: [AuditFinding] = []
        var unresolved = 0
        for p in pending {
            let r = p.reference, origin = origins[Int(p.from.origin)]
            guard let target = places[r.target] else {
                unresolved += 1
                if unresolvedAreFindings {
                    findings.append(AuditFinding(origin: origin, seq: p.from.seq, "payload.\(r.member) names \(r.target), which is in no log"))
                }
                continue
            }
            if r.required == .other, r.target == p.id {
                findings.append(AuditFinding(origin: origin, seq: p.from.seq, "payload.\(r.member) names the entry itself"))
            } else if r.required != .other, target.kind != r.required {
                findings.append(AuditFinding(origin: origin, seq: p.from.seq,
                                             "payload.\(r.member) names \(r.target), entry \(target.seq) of \(origins[Int(target.origin)]), which is not a \(r.required.label)"))
            }
        }
        for problem in ledger.refundProblems() {
            findings.append(AuditFinding(origin: problem.refund.stamp.origin, seq: problem.refund.seq, problem.message))
        }
        return (findings, unresolved)
    }
}

/// One log's tree, recomputed leaf by leaf: the tiles it has, and the roots its checkpoints must
/// have. Signatures are checked before (``CheckpointHistory``); here each checkpoint's root is
/// compared with the root of the leaves at its size.
public struct OriginAudit: Sendable {
    public let origin: String
    public private(set) var appender = MerkleAppender()
    public private(set) var tiles = TileBuffer()
    public private(set) var findings: [AuditFinding] = []
    private let expected: [CheckpointHistory.Point]
    private var next = 0

    /// An audit of `origin` whose checkpoints (verified, ascending) are `checkpoints`.
    public init(origin: String, checkpoints: [CheckpointHistory.Point]) {
        self.origin = origin
        self.expected = checkpoints
        checkRoots()
    }

    /// Appends the next leaf.
    public mutating func append(_ leaf: MerkleHash) {
        tiles.append(leaf, to: &appender)
        if next < expected.count, expected[next].size == appender.size { checkRoots() }
    }

    /// Checkpoints beyond the leaves appended: call at the end.
    public mutating func finish() {
        for point in expected[next...] {
            findings.append(AuditFinding(origin: origin, seq: point.size,
                                         "checkpoint of size \(point.size) is larger than the \(appender.size) entries held"))
        }
        next = expected.count
    }

    /// The full tiles completed since the last call, and at the end (`final`) the partial ones.
    public mutating func drainTiles(final: Bool) -> [(tile: TlogTile, hashes: [MerkleHash])] {
        var out: [(TlogTile, [MerkleHash])] = []
        for t in tiles.drainTouched() where t.hashes.count == TlogTile.fullWidth {
            out.append((TlogTile(unchecked: t.level, t.index, TlogTile.fullWidth), t.hashes))
        }
        if final { out += tiles.partialTiles(treeSize: appender.size) }
        return out
    }

    private mutating func checkRoots() {
        while next < expected.count, expected[next].size == appender.size {
            let point = expected[next]
            if point.root != appender.rootHash {
                findings.append(AuditFinding(origin: origin, seq: point.size,
                                             "checkpoint of size \(point.size) is signed by \(origin) but its root is not the root of the entries: the entries were changed after signing, or \(origin) signed two histories"))
            }
            next += 1
        }
    }
}

/// A log's checkpoint history, each note parsed and its signature checked.
public enum CheckpointHistory {
    /// A checkpoint that verified: its size and root.
    public struct Point: Sendable, Hashable {
        public let size: UInt64
        public let root: MerkleHash
    }

    /// Opens one checkpoint note of `origin` with its key: the point, or what is wrong.
    public static func open(_ note: String, origin: String, verifier: NoteVerifier) -> Result<Point, AuditFinding> {
        let signed: SignedCheckpoint
        do { signed = try SignedCheckpoint(parsing: note) } catch {
            return .failure(AuditFinding(origin: origin, "checkpoint note is malformed: \(error)"))
        }
        let size = signed.checkpoint.size
        guard signed.checkpoint.origin == origin else {
            return .failure(AuditFinding(origin: origin, seq: size, "checkpoint names origin '\(signed.checkpoint.origin)'"))
        }
        guard signed.verify(with: verifier).isVerified else {
            return .failure(AuditFinding(origin: origin, seq: size, "checkpoint of size \(size) is not signed by \(verifier.vkey)"))
        }
        guard let root = try? MerkleHash(bytes: signed.checkpoint.rootHash) else {
            return .failure(AuditFinding(origin: origin, seq: size, "checkpoint root is not a SHA-256 hash"))
        }
        return .success(Point(size: size, root: root))
    }

    /// The points of a history in the order given, with findings for notes that do not verify
    /// and for sizes that do not increase.
    /// - Parameter after: the last point of the pages before, when a history is read in pages.
    public static func points(_ results: [Result<Point, AuditFinding>], origin: String, after: Point? = nil) -> ([Point], [AuditFinding]) {
        var points: [Point] = [], findings: [AuditFinding] = []
        var last = after
        for result in results {
            switch result {
            case .failure(let finding): findings.append(finding)
            case .success(let point):
                if let last, point.size <= last.size {
                    if point == last { continue }
                    findings.append(AuditFinding(origin: origin, seq: point.size, point.size == last.size
                        ? "two checkpoints of size \(point.size) signed by \(origin) have different roots: \(origin) signed two histories"
                        : "checkpoint history is not in ascending size: \(point.size) after \(last.size)"))
                    continue
                }
                points.append(point)
                last = point
            }
        }
        return (points, findings)
    }
}
