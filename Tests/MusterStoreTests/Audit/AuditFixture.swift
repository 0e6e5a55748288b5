import Foundation
import MusterCore
import MusterDemo
@testable import MusterStore
import MusterTesting
import Testing

/// A hub holding a movement: its own log (recorded through the hub) and three other hubs' logs
/// (the multi-origin fixture, with references across logs and voids), each arrived in two
/// batches under two checkpoints signed by that hub's key, all under one roster signed by the
/// movement's root key. What an auditor gets from a real hub after sync. The roster has a
/// treasurer (an officer) who author-signs every donation acceptance the hub records.
///
/// With `authorProblems`, one entry of the second origin carries a treasurer's signature with a
/// flipped bit, and one of the third origin is validly signed by a key that is not an officer:
/// each must be a finding, at that entry.
struct AuditFixture {
    static let movement = "movement.example.org"
    let temp: TemporaryDirectory
    let hub: Hub
    let root: NoteSigner
    let signers: [String: NoteSigner]
    let treasurer: NoteSigner
    let logs: [[Entry]]
    /// The seqs of the entries `authorProblems` spoiled, by origin.
    let spoiled: [String: UInt64]

    var dataDir: String { hub.directory.url.path }
    var rootVkey: String { root.verifier.vkey }
    var keys: [String: NoteVerifier] { signers.mapValues(\.verifier).merging([hub.origin: hub.verifier]) { a, _ in a } }

    init(members: Int = 60, ownEvents: Int = 300, authorProblems: Bool = false) async throws {
        temp = try TemporaryDirectory()
        hub = try Hub.create(directory: DataDirectory(path: temp.path("hub")), origin: "hub.example.org/hub")
        root = try NoteSigner.generate(name: Self.movement)
        let fixture = try MultiOriginFixture(members: members)
        let treasurer = try NoteSigner.generate(name: "treasurer.\(Self.movement)")
        self.treasurer = treasurer
        var logs = fixture.logs
        var spoiled: [String: UInt64] = [:]
        if authorProblems {
            let stranger = try NoteSigner.generate(name: "stranger.example.org")
            for (o, signer) in [(1, treasurer), (2, stranger)] {
                let i = 2
                var (signature, _) = try AuthorSignature.sign(logs[o][i].bytes, with: signer)
                if o == 1 {
                    var bits = signature.signature
                    bits[7] ^= 0x10
                    signature = try AuthorSignature(vkey: signature.vkey, signature: bits)
                }
                var envelope = logs[o][i].envelope
                envelope.authorSignature = signature
                logs[o][i] = try Entry.encode(envelope)
                spoiled[MultiOriginFixture.origins[o]] = envelope.seq
            }
        }
        self.logs = logs
        self.spoiled = spoiled
        var signers: [String: NoteSigner] = [:]
        for origin in MultiOriginFixture.origins { signers[origin] = try NoteSigner.generate(name: origin) }
        self.signers = signers
        var members = [try Roster.Member(name: hub.origin, verifier: hub.verifier, url: nil, role: .hub)]
        for origin in MultiOriginFixture.origins {
            members.append(try Roster.Member(name: origin, verifier: signers[origin]!.verifier, url: nil, role: .hub))
        }
        members.append(try Roster.Member(name: treasurer.name, verifier: treasurer.verifier, url: nil, role: .officer))
        let note = try Roster(movement: Self.movement, version: 1, members: members).sign(with: root)
        _ = try hub.installRoster(note: note, root: root.verifier)

        for (o, log) in logs.enumerated() {
            let origin = MultiOriginFixture.origins[o], half = log.count / 2
            for range in [0..<half, half..<log.count] {
                let target = try Self.checkpoint(log[..<range.upperBound], origin: origin, signer: signers[origin]!)
                let outcome = try await hub.store.appendForeign(origin: origin, start: UInt64(range.lowerBound),
                                                                entries: try log[range].map { try SyncedEntry($0.bytes) }, target: target, proof: [])
                guard case .appended = outcome else { throw StoreError(.corrupt, "fixture: \(outcome)") }
            }
        }
        for var draft in TestHub.drafts(members: ownEvents / 8, seed: 3).prefix(ownEvents) {
            if draft.type == DonationAccepted.schema.type { draft.author = treasurer }
            _ = try await hub.record(draft)
        }
        try hub.settleProjections()
    }

    /// A checkpoint of `origin` over `entries`, signed with `signer`.
    static func checkpoint(_ entries: ArraySlice<Entry>, origin: String, signer: NoteSigner, root: MerkleHash? = nil) throws -> SignedCheckpoint {
        let tree = MerkleTree(leafHashes: entries.map(\.leafHash))
        return try SignedCheckpoint.sign(Checkpoint(origin: origin, size: tree.size, rootHash: (root ?? tree.rootHash).bytes), with: signer)
    }

    /// Exports the hub into a new folder of the fixture.
    func export(_ name: String = "bundle") throws -> String {
        let path = temp.path(name)
        _ = try BundleExporter(hub: hub).export(to: URL(fileURLWithPath: path))
        return path
    }

    /// A copy of a bundle, to tamper with.
    func copy(_ bundle: String, _ name: String) throws -> String {
        let path = temp.path(name)
        try FileManager.default.copyItem(atPath: bundle, toPath: path)
        return path
    }

    /// Audits a bundle folder with the fixture's keys.
    func audit(bundle path: String) async throws -> AuditReport {
        try await Auditor(keys: keys, authors: AuthorTrust(officers: [treasurer.verifier])).run(BundleDirectory(path: path))
    }

    /// The path of the first entry bundle (or, with `hashes`, level-0 tile) of `origin` in a bundle.
    static func firstTile(_ bundle: String, _ origin: String, entries: Bool = true) throws -> String {
        let size = try #require(try BundleDirectory(path: bundle).manifest.logs.first { $0.origin == origin }?.size)
        let tile = try #require(TlogTile.tiles(treeSize: size).first)
        return logFile(bundle, origin, entries ? tile.entryBundlePath : tile.path)
    }

    /// The path of a file in `origin`'s log folder of a bundle.
    static func logFile(_ bundle: String, _ origin: String, _ relative: String) -> String {
        bundle + "/" + AuditBundle.logPath(origin: origin) + "/" + relative
    }
}
