import Foundation
import GRDB
import Logging
import MusterCore
@testable import MusterStore
import MusterSync
import MusterTesting
import Testing

/// A peer that serves a real hub's answers, altered.
struct LyingPeer: SyncPeer {
    enum Lie: String, CaseIterable, Sendable { case duplicated, reordered, truncated, tamperedBytes, tamperedValue, wrongCheckpoint }
    let honest: PeerClient
    let lie: Lie
    /// Batches that start before this leaf index are served as they are.
    var from: UInt64 = 0
    var url: String { honest.url }

    func heads(wait: Int?, since: String?) async throws -> SyncWire.Heads { try await honest.heads(wait: wait, since: since) }
    func consistency(origin: String, from: UInt64, to: UInt64) async throws -> SyncWire.Consistency {
        try await honest.consistency(origin: origin, from: from, to: to)
    }
    func evidence() async throws -> [EquivocationEvidence] { try await honest.evidence() }
    func roster() async throws -> String { try await honest.roster() }

    func batch(origin: String, start: UInt64, end: UInt64, checkpointSize: UInt64) async throws -> SyncWire.Batch {
        let b = try await honest.batch(origin: origin, start: start, end: end, checkpointSize: checkpointSize)
        guard start >= from else { return b }
        var entries = b.entries, checkpoint = b.checkpoint
        switch lie {
        case .duplicated: entries[3] = entries[2]
        case .reordered: entries.swapAt(1, 4)
        case .truncated: entries.removeLast()
        case .tamperedBytes: entries[5][entries[5].count / 2] ^= 0x01
        case .tamperedValue:
            // Still a valid, canonical entry: only the amount differs.
            let text = String(decoding: entries[5], as: UTF8.self)
            entries[5] = Array(text.replacingOccurrences(of: #""minor":105"#, with: #""minor":999"#).utf8)
        case .wrongCheckpoint:
            checkpoint = checkpoint.replacingOccurrences(of: "\n\(checkpointSize)\n", with: "\n\(checkpointSize + 1)\n")
        }
        return SyncWire.Batch(origin: b.origin, start: b.start, checkpoint: checkpoint, proof: b.proof, entries: entries)
    }
}

/// A peer that duplicates, reorders, truncates or alters a batch is refused with a clear reason,
/// nothing of the batch is kept, and an honest peer then brings the hub up to date.
@Suite(.serialized) struct LyingPeerTests {
    @Test func alteredBatchesAreRejectedAndNothingPartialIsKept() async throws {
        let m = try Movement(["a", "c"])
        try m.start("a")
        _ = try await m.recordMany(at: "a", count: 10, parallel: 1)
        let c = try Hub(directory: DataDirectory(path: m.dir("c")))
        let signer = try c.directory.logSigner()
        let honest = PeerClient(url: m.url("a"), signer: signer)
        let logger = Logger(label: "test")
        for lie in LyingPeer.Lie.allCases {
            let report = try await Synchronizer(hub: c, logger: logger).round(with: LyingPeer(honest: honest, lie: lie), name: "liar")
            let error = report.errors[m.origin("a")] ?? ""
            #expect(!error.isEmpty, "\(lie) was accepted")
            #expect(error.contains("rejected") || error.contains("not a valid entry"), "\(lie): \(error)")
            #expect(try c.store.origins().first { $0.origin == m.origin("a") }?.size ?? 0 == 0, "\(lie) left entries behind")
        }
        let report = try await Synchronizer(hub: c, logger: logger).round(with: honest, name: "a")
        #expect(report.pulled[m.origin("a")] == 10 && report.errors.isEmpty, "\(report.errors)")
        try c.settleProjections()
        let advertised = try await m.heads("a").first { $0.origin == m.origin("a") }?.checkpoint
        #expect(advertised == (try c.store.latestCheckpoint(origin: m.origin("a"))?.note))
        // Unsigned and stranger requests are refused by the server, and so are an officer's: its key signs entries, not sync.
        let stranger = try NoteSigner.generate(name: "sync.test/hub/stranger")
        await #expect(throws: PeerError.self) { try await PeerClient(url: m.url("a"), signer: stranger).heads() }
        let treasurer = try m.signer(keyFile: m.treasurerKey)
        await #expect(throws: PeerError.self) { try await PeerClient(url: m.url("a"), signer: treasurer).heads() }
    }

    /// A pull leaves the read models' catch-up to its end while more batches are on their way;
    /// one that ends in a rejected batch still catches them up on what it appended.
    @Test func aPullRefusedPartWayStillCatchesUpWhatItAppended() async throws {
        let m = try Movement(["a", "c"])
        try m.start("a")
        _ = try await m.recordMany(at: "a", count: 30, parallel: 1)
        let c = try Hub(directory: DataDirectory(path: m.dir("c")))
        let honest = PeerClient(url: m.url("a"), signer: try c.directory.logSigner())
        // Batches of ten: two honest ones, then a tampered one.
        let liar = LyingPeer(honest: honest, lie: .tamperedBytes, from: 20)
        let report = try await Synchronizer(hub: c, logger: Logger(label: "test"), batchSize: 10).round(with: liar, name: "liar")
        #expect(report.errors[m.origin("a")]?.contains("not a valid entry") == true, "\(report.errors)")
        #expect(try c.store.origins().first { $0.origin == m.origin("a") }?.size == 20)
        // Nobody asks for a catch-up here: the pull scheduled it as it ended.
        let deadline = ContinuousClock.now + .seconds(20)
        while try c.projections.status().contains(where: { $0.position < 20 }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let positions = try c.projections.status().map(\.position)
        #expect(positions.allSatisfy { $0 >= 20 }, "read models at \(positions)")
    }

    /// A pull of more entries than the hub holds has its read models rebuilt as it lands: the
    /// round returns with them rebuilt (one new generation) and equal to the peer's; one refused
    /// part way still rebuilds them over what it appended.
    @Test func aLongPullRebuildsTheReadModelsAsItLands() async throws {
        let m = try Movement(["a", "c", "d", "e"])
        try m.start("a")
        _ = try await m.recordMany(at: "a", count: 30, parallel: 1)
        var sizes = ProjectionEngine.Sizes()
        sizes.rebuildBacklog = 10; sizes.batch = 4; sizes.sortRun = 500
        let logger = Logger(label: "test")
        for (hub, lie) in [("c", nil), ("d", LyingPeer.Lie.tamperedBytes)] {
            let c = try Hub(directory: DataDirectory(path: m.dir(hub)), projectionSizes: sizes)
            let generation = { try c.projections.readViews { db in try Int64.fetchOne(db, sql: "SELECT generation FROM model_members.pj_state WHERE name = 'members'") } }
            let before = try generation() ?? 0
            let honest = PeerClient(url: m.url("a"), signer: try c.directory.logSigner())
            let report: SyncRoundReport
            if let lie {
                report = try await Synchronizer(hub: c, logger: logger, batchSize: 10).round(with: LyingPeer(honest: honest, lie: lie, from: 20), name: "liar")
            } else {
                report = try await Synchronizer(hub: c, logger: logger, batchSize: 10).round(with: honest, name: "a")
            }
            let held: Int64 = lie == nil ? 30 : 20
            #expect(report.errors.isEmpty == (lie == nil), "\(hub): \(report.errors)")
            #expect(try c.store.origins().first { $0.origin == m.origin("a") }?.size == UInt64(held))
            // The round waited for the rebuild: no catch-up was asked for.
            #expect(try generation() == before + 1, "\(hub)")
            let positions = try c.projections.status().map(\.position)
            #expect(positions.allSatisfy { $0 == held }, "\(hub): read models at \(positions)")
            if lie == nil {
                // The same pull caught up the usual way (applied after it) gives the same models.
                let e = try Hub(directory: DataDirectory(path: m.dir("e")))
                let plain = try await Synchronizer(hub: e, logger: logger, batchSize: 10)
                    .round(with: PeerClient(url: m.url("a"), signer: try e.directory.logSigner()), name: "a")
                #expect(plain.pulled[m.origin("a")] == 30)
                try e.settleProjections()
                #expect(try c.projections.digests().last?.hex == e.projections.digests().last?.hex)
            }
        }
    }
}
