import Foundation
public import MusterCore
public import MusterStore

/// `muster demo`: a real hub in a data directory records a synthetic movement — in bulk, then as
/// concurrent single appends sharing group commits, then again after a restart — and then
/// verifies everything from the stored bytes, proves a donation to a donor, and erases a member.
public struct HubDemo: Sendable {
    /// What the demo did and found, line by line.
    public struct Report: Sendable {
        /// The hub's origin and vkey.
        public var origin: String, vkey: String
        /// Entries by type.
        public var countsByType: [String: Int] = [:]
        /// Distinct subjects, regions and constituencies.
        public var subjects = 0, regions = 0, constituencies = 0
        /// Donations received, in pence.
        public var donationsPence: Int64 = 0
        /// The final signed checkpoint.
        public var checkpoint = ""
        /// Steps and checks, in order.
        public var lines: [String] = []
        /// Reports from the read models.
        public var reports: [ReportTable] = []
        /// Total entries.
        public var entries: Int { countsByType.values.reduce(0, +) }
    }

    /// The movement to record.
    public let movement: SyntheticMovement
    /// Where the hub lives.
    public let directory: DataDirectory
    /// The hub's origin.
    public let origin: String

    /// A demo writing into `directory`, which must not hold a hub yet.
    public init(movement: SyntheticMovement, directory: DataDirectory, origin: String = "muster.example.org/hub/sheffield") {
        self.movement = movement
        self.directory = directory
        self.origin = origin
    }

    /// Runs the demo.
    public func run() async throws -> Report {
        let drafts = movement.events.map(\.draft)
        let bulk = drafts.count * 2 / 3, concurrent = min(200, (drafts.count - bulk) / 2)
        var hub: Hub? = try Hub.create(directory: directory, origin: origin)
        var report = Report(origin: origin, vkey: hub!.verifier.vkey)
        report.lines.append("created hub \(origin) in \(directory.url.path)")

        var start = Date()
        _ = try await hub!.recordBulk(Array(drafts[..<bulk]))
        report.lines.append("recorded \(bulk) events in bulk (\(rate(bulk, since: start)))")

        start = Date()
        let batch = Array(drafts[bulk..<(bulk + concurrent)])
        try await Self.recordConcurrently(batch, on: hub!)
        let checkpointsNow = try hub!.store.checkpoints(origin: origin).count
        report.lines.append("recorded \(concurrent) events as concurrent single appends; group commit signed \(checkpointsNow - 1) checkpoints for them (\(rate(concurrent, since: start)))")

        hub = nil  // close, as after a restart
        hub = try Hub(directory: directory)
        for draft in drafts[(bulk + concurrent)...] { _ = try await hub!.record(draft) }
        report.lines.append("reopened the hub and recorded the remaining \(drafts.count - bulk - concurrent) events one by one")
        let store = hub!.store

        let entries = try store.entries(origin: origin, fromSeq: 1, limit: Int.max).map(\.entry)

        // A treasurer vouches for one acceptance with her own key, beside the hub's checkpoint.
        let treasurer = try NoteSigner.generate(name: "treasurer.demo.example.org")
        if let gift = entries.last(where: { $0.envelope.type == DonationReceived.schema.type }), let donor = gift.envelope.subject {
            var draft = try EntryDraft(DonationAccepted(donation: gift.envelope.id, acceptedOn: CalendarDate(daysSinceEpoch: Timestamp.now().date.daysSinceEpoch)),
                                       subject: donor, operatorID: "op-treasurer")
            draft.author = treasurer
            guard case .appended(let seq, _, _) = try await hub!.record(draft) else { throw StoreError(.corrupt, "the signed acceptance was not recorded") }
            report.lines.append("the treasurer author-signed the acceptance of donation \(gift.envelope.id) (seq \(seq)) with her own key")
        }

        let verified = try await hub!.verify()
        guard verified.ok, let result = verified.logs.first else {
            throw StoreError(.corrupt, "verification failed: \(verified.findings.first.map(String.init(describing:)) ?? "no origin")")
        }
        guard verified.authors.map(\.key) == [treasurer.verifier] else { throw StoreError(.corrupt, "the treasurer's signature was not verified") }
        report.lines.append("verified \(result.entries) entries and \(result.checkpoints) signed checkpoints from the stored bytes: canonical, schema-valid, roots, signatures (the hub's and the treasurer's), tiles, ids, references")

        // (The signed acceptance carries no personal data: the entries read before it are the ones to check.)
        let leaks = try PersonalDataCheck.leaks(in: entries, keys: hub!.keys)
        guard leaks.isEmpty else { throw StoreError(.corrupt, "personal data in the clear: \(leaks[0])") }
        report.lines.append("\(entries.filter { $0.envelope.sealed != nil }.count) entries carry sealed personal data; none of it appears in any entry's bytes")

        if let donation = entries.last(where: { $0.envelope.type == DonationReceived.schema.type }),
           let latest = try store.latestCheckpoint(origin: origin) {
            let inclusion = try store.inclusionProof(origin: origin, seq: donation.envelope.seq, treeSize: latest.size)
            let receipt = try EntryReceipt(entry: donation, inclusion: inclusion, checkpoint: SignedCheckpoint(parsing: latest.note))
            let reparsed = try EntryReceipt(parsing: receipt.formatted)
            guard case .valid = reparsed.verify(with: try NoteVerifier(vkey: report.vkey)) else {
                throw StoreError(.corrupt, "donor receipt does not verify")
            }
            report.lines.append("donor receipt (C2SP tlog-proof) for donation \(donation.envelope.id): \(inclusion.hashes.count) proof hashes, verifies offline with the vkey")
        }

        if let joined = entries.first(where: { $0.envelope.type == MemberJoined.schema.type && $0.envelope.subject != nil }),
           let subject = joined.envelope.subject {
            _ = try await hub!.record(try EntryDraft(SubjectErased(requestedOn: CalendarDate(daysSinceEpoch: Timestamp.now().date.daysSinceEpoch),
                                                                   basis: "gdpr-art17"), subject: subject, operatorID: "op-demo"))
            guard case .erased = try hub!.keys.lookup(subject) else { throw StoreError(.corrupt, "erasure did not destroy the key") }
            guard try await hub!.verify().ok else { throw StoreError(.corrupt, "log no longer verifies after erasure") }
            report.lines.append("erased member \(subject): key destroyed, their sealed data is unreadable, and the log still verifies")
        }

        // The read models caught up after every commit; a replay from the log alone agrees to the byte.
        try hub!.settleProjections()
        let live = try hub!.projections.digests().last!
        let replay = try hub!.projections.rebuild()
        guard try hub!.projections.digests().last! == live else { throw StoreError(.corrupt, "replay disagrees with the live read models") }
        report.lines.append("replayed \(replay.entries) entries into \(replay.projections.count) read models (\(Int(Double(replay.entries) / max(replay.seconds, 1e-9))) events/s); digest \(live.hex.prefix(16))… equals the live models'")
        let reports = Reports(engine: hub!.projections)
        let firstYear = movement.events.first.map { $0.date.parts.year } ?? 2025
        report.reports = [try reports.members(by: "region", period: .init()), try reports.trainings(by: "course", period: .init()),
                          try reports.pledges(by: "kind", period: .init())]
        report.reports += DonationRegister(donations: try reports.registerDonations(), rules: .uk, year: firstYear, quarter: nil,
                                           unit: .central, today: Timestamp.now().date).tables(rules: .uk).prefix(2)

        let all = try store.entries(origin: origin, fromSeq: 1, limit: Int.max).map(\.entry)
        for entry in all { report.countsByType[entry.envelope.type, default: 0] += 1 }
        let joins = all.filter { $0.envelope.type == MemberJoined.schema.type }
        report.subjects = Set(all.compactMap(\.envelope.subject)).count
        report.regions = Set(joins.compactMap { $0.envelope.payload["region"]?.stringValue }).count
        report.constituencies = Set(joins.compactMap { $0.envelope.payload["constituency"]?["code"]?.stringValue }).count
        report.donationsPence = all.filter { $0.envelope.type == DonationReceived.schema.type }
            .compactMap { $0.envelope.payload["amount"]?["minor"]?.integerValue }.reduce(0, +)
        report.checkpoint = try store.latestCheckpoint(origin: origin)?.note ?? ""
        return report
    }

    private static func recordConcurrently(_ batch: [EntryDraft], on recorder: Hub) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for draft in batch where draft.type != SubjectErased.schema.type {
                group.addTask { _ = try await recorder.record(draft) }
            }
            try await group.waitForAll()
        }
        // Erasures wait for the concurrent appends they would otherwise race with.
        for draft in batch where draft.type == SubjectErased.schema.type { _ = try await recorder.record(draft) }
    }

    private func rate(_ n: Int, since start: Date) -> String {
        let seconds = Date().timeIntervalSince(start)
        return seconds > 0 ? "\(Int(Double(n) / seconds)) events/s" : "instant"
    }
}
