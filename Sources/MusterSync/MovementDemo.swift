public import Foundation
public import Logging
public import MusterCore
import MusterStore
import ServiceLifecycle
import Synchronization

/// `muster demo`, part two: three regional hubs on loopback, each serving and following the
/// others under one roster signed by a root key. Each records its share of a movement, they sync,
/// and the demo shows that every hub then holds every log, verified, with identical read models,
/// and how soon an event recorded at one hub reaches another.
public struct MovementDemo: Sendable {
    /// The hubs' short names.
    public static let regions = ["sheffield", "surrey", "newcastle"]
    /// The drafts to record, spread over the hubs by subject.
    public let drafts: [EntryDraft]
    /// A directory for the three hubs.
    public let directory: URL
    let logger: Logger

    /// A demo recording `drafts` across three hubs under `directory`.
    public init(drafts: [EntryDraft], directory: URL, logger: Logger) {
        self.drafts = drafts
        self.directory = directory
        self.logger = logger
    }

    /// What the demo found.
    public struct Report: Sendable {
        /// Steps and checks, in order.
        public var lines: [String] = []
        /// Per hub: entries held per origin, and the read-model digest.
        public var hubs: [(name: String, held: [String: UInt64], digest: String)] = []
    }

    /// Runs the demo.
    public func run() async throws -> Report {
        var report = Report()
        let root = try NoteSigner.generate(name: "muster.example.org")
        var hubs: [Hub] = []
        for region in Self.regions {
            hubs.append(try Hub.create(directory: DataDirectory(path: directory.appendingPathComponent(region).path),
                                       origin: "muster.example.org/hub/\(region)"))
        }
        report.lines.append("created hubs \(Self.regions.joined(separator: ", ")) and the movement's root key \(root.verifier.vkey)")

        // Each hub serves on a free port, then the roster names them all.
        let ports = Mutex<[String: Int]>([:])
        var groups: [ServiceGroup] = []
        for hub in hubs {
            let origin = hub.origin
            let group = ServiceGroup(services: HubService.services(hub: hub, host: "127.0.0.1", port: 0, sync: true, logger: logger) { port in
                ports.withLock { $0[origin] = port }
            }, logger: logger)
            groups.append(group)
        }
        let running = groups.map { group in Task { try await group.run() } }
        defer { for task in running { task.cancel() } }
        while ports.withLock({ $0.count }) < hubs.count { try await Task.sleep(for: .milliseconds(10)) }
        let bound = ports.withLock { $0 }
        let members = try hubs.map { hub in
            try Roster.Member(name: hub.origin, verifier: hub.verifier, url: "http://127.0.0.1:\(bound[hub.origin]!)", role: .hub)
        }
        let note = try Roster(movement: root.name, version: 1, members: members).sign(with: root)
        for hub in hubs { try hub.installRoster(note: note, root: root.verifier) }
        report.lines.append("signed a roster of the three hubs and installed it at each; they serve on ports \(hubs.map { String(bound[$0.origin]!) }.joined(separator: ", "))")

        // Each hub records its share: members (and their donations, trainings, pledges) by subject.
        var shares = Array(repeating: [EntryDraft](), count: hubs.count)
        for draft in drafts { shares[draft.subject.map { Int($0.text.utf8.reduce(0) { ($0 &+ UInt32($1)) % 3 }) } ?? 0].append(draft) }
        let start = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (hub, share) in zip(hubs, shares) { group.addTask { _ = try await hub.recordBulk(share) } }
            try await group.waitForAll()
        }
        let expected = Dictionary(uniqueKeysWithValues: zip(hubs.map(\.origin), shares.map { UInt64($0.count) }))
        report.lines.append("recorded \(shares.map(\.count).map(String.init).joined(separator: " / ")) events at the three hubs at once while they sync")
        try await waitUntilConverged(hubs, expected: expected, timeout: 120)
        report.lines.append("every hub holds all three logs, each verified against its origin's signed checkpoint (\(String(format: "%.2f", Date().timeIntervalSince(start))) s from the first record)")

        // Subject keys travel too, over their own encrypted channel: a member who joined at
        // sheffield can be contacted by newcastle's organisers.
        try await waitForKeys(from: hubs[0], at: hubs[2], timeout: 60)
        report.lines.append("newcastle opened the sealed personal fields of a member who joined at sheffield: their key came over the hubs' encrypted key exchange, never in a log")

        // Live: one donation at surrey reaches the others.
        let client = OperatorClient(url: "http://127.0.0.1:\(bound[hubs[1].origin]!)", token: try hubs[1].directory.addOperatorToken(name: "demo"))
        let sent = Date()
        let receipt = try await client.record("donation.received", fields: .object([
            "amount": .object(["minor": .number(2500), "currency": .string("GBP")]), "receivedOn": .string("2026-11-20"),
            "method": .string("card"), "donorKind": .string("individual"),
        ]), subject: SubjectID.generate().text)
        var latest = expected
        latest[hubs[1].origin, default: 0] += 1
        try await waitUntilConverged(hubs, expected: latest, timeout: 30)
        report.lines.append("a donation recorded at surrey through the HTTP API (seq \(receipt.seq)) reached sheffield and newcastle in \(Int(Date().timeIntervalSince(sent) * 1000)) ms")

        var digests: [String] = []
        for (region, hub) in zip(Self.regions, hubs) {
            try hub.settleProjections()
            let digest = try hub.projections.digests().first { $0.name == "all" }?.hex ?? ""
            digests.append(digest)
            let held = Dictionary(uniqueKeysWithValues: try hub.store.origins().map { ($0.origin, $0.size) })
            report.hubs.append((region, held, digest))
        }
        guard Set(digests).count == 1 else { throw SyncError(.verification, "the hubs' read models differ: \(digests)") }
        report.lines.append("the three hubs' read models have one digest, \(digests[0].prefix(16))…, whatever order the events arrived in")
        for group in groups { await group.triggerGracefulShutdown() }
        for task in running { _ = try? await task.value }
        report.lines.append("shut the three hubs down gracefully")
        return report
    }

    /// Waits until `reader` can open the sealed fields of the first member in `writer`'s log.
    private func waitForKeys(from writer: Hub, at reader: Hub, timeout: Double) async throws {
        guard let joined = try writer.store.entries(origin: writer.origin, fromSeq: 1, limit: 1_000)
            .first(where: { $0.entry.envelope.sealed != nil && $0.entry.envelope.subject != nil })?.entry.envelope,
            let sealed = joined.sealed, let subject = joined.subject else { return }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if case .fields = try reader.keys.reveal(sealed, subject: subject, origin: joined.origin, id: joined.id) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SyncError(.verification, "\(reader.origin) did not receive the key of \(writer.origin)'s subject \(subject) within \(Int(timeout)) s")
    }

    private func waitUntilConverged(_ hubs: [Hub], expected: [String: UInt64], timeout: Double) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let heads = try hubs.map { try $0.store.heads() }
            let sizes = try hubs.map { hub in Dictionary(uniqueKeysWithValues: try hub.store.origins().map { ($0.origin, $0.size) }) }
            if heads.allSatisfy({ $0 == heads[0] }), sizes.allSatisfy({ s in expected.allSatisfy { s[$0.key] ?? 0 == $0.value } }) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw SyncError(.verification, "the hubs did not converge within \(Int(timeout)) s")
    }
}
