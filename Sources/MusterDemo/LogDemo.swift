public import MusterCore
import Foundation

/// The first `muster demo`: one hub's synthetic movement as entries of one origin, a Merkle tree,
/// a signed checkpoint, then verification of everything from the bytes alone.
public struct LogDemo: Sendable {
    /// What the demo found.
    public struct Summary: Sendable {
        /// The log's origin.
        public var origin: String
        /// The hub's verifier key.
        public var vkey: String
        /// Entries written, by type.
        public var countsByType: [String: Int]
        /// Distinct subjects.
        public var subjects: Int
        /// Regions and constituencies covered.
        public var regions: Int, constituencies: Int
        /// Donations received, total in pence.
        public var donationsPence: Int64
        /// The signed checkpoint.
        public var checkpoint: String
        /// Checks that passed, in order.
        public var checks: [String]
        /// Total entries.
        public var entries: Int { countsByType.values.reduce(0, +) }
    }

    /// The movement to record.
    public let movement: SyntheticMovement
    /// The hub's origin.
    public let origin: String

    /// A demo over a movement.
    public init(movement: SyntheticMovement, origin: String = "muster.example.org/hub/sheffield") {
        self.movement = movement
        self.origin = origin
    }

    /// Records, signs and verifies.
    public func run() throws -> Summary {
        let signer = try NoteSigner.generate(name: origin)
        let keys = InMemorySubjectKeyStore()
        var clock = HybridLogicalClock()
        var entries: [Entry] = []
        var tree = MerkleTree()
        var midpoint: (size: UInt64, root: MerkleHash)?
        for (i, event) in movement.events.enumerated() {
            let prepared = try PreparedEntry(event.draft, origin: origin, id: event.id, keys: keys)
            let at = Timestamp(unixMillis: event.id.unixMillis > 0 ? Int64(event.id.unixMillis) : event.date.daysSinceEpoch * 86_400_000)
            let entry = try prepared.assemble(seq: UInt64(i + 1), recordedAt: at, hlc: clock.tick(now: at.unixMillis))
            entries.append(entry)
            _ = tree.append(leafHash: entry.leafHash)
            if i + 1 == movement.events.count / 2 { midpoint = (tree.size, tree.rootHash) }
        }
        let checkpoint = try Checkpoint(origin: origin, size: tree.size, rootHash: tree.rootHash.bytes)
        let note = try SignedNote.sign(checkpoint.text, with: [signer]).formatted

        // Verify from the bytes alone, as an auditor would.
        var checks: [String] = []
        var verifyTree = MerkleTree()
        for entry in entries {
            let decoded = try Entry.decode(entry.bytes)
            guard decoded.envelope.seq == verifyTree.size + 1, decoded.envelope.origin == origin else {
                throw CoreError(.invalidEnvelope, "entry \(decoded.envelope.id) is out of place")
            }
            _ = verifyTree.append(leafHash: MerkleHash.leafHash(entry.bytes))
        }
        checks.append("\(entries.count) entries are canonical JSON (RFC 8785) and valid against their schemas")
        let opened = try SignedNote(parsing: note)
        let verified = opened.verify(against: [signer.verifier])
        let signedCheckpoint = try Checkpoint(parsing: opened.text)
        guard verified.isVerified, signedCheckpoint.rootHash == verifyTree.rootHash.bytes, signedCheckpoint.size == verifyTree.size else {
            throw CoreError(.signature, "checkpoint does not verify against the recomputed tree")
        }
        checks.append("checkpoint signature verifies; its root equals the RFC 9162 root recomputed over all entries")
        if let donation = entries.first(where: { $0.envelope.type == DonationReceived.schema.type }) {
            let proof = try verifyTree.inclusionProof(leafIndex: donation.envelope.seq - 1, treeSize: verifyTree.size)
            guard proof.verify(leafHash: donation.leafHash, rootHash: verifyTree.rootHash).isValid else {
                throw CoreError(.signature, "inclusion proof failed")
            }
            checks.append("inclusion proof for donation \(donation.envelope.id) (seq \(donation.envelope.seq)): \(proof.hashes.count) hashes, verifies")
        }
        if let midpoint {
            let proof = try verifyTree.consistencyProof(from: midpoint.size, to: verifyTree.size)
            guard proof.verify(oldRoot: midpoint.root, newRoot: verifyTree.rootHash).isValid else {
                throw CoreError(.signature, "consistency proof failed")
            }
            checks.append("consistency proof \(midpoint.size) → \(verifyTree.size): \(proof.hashes.count) hashes, verifies")
        }
        let leaks = try PersonalDataCheck.leaks(in: entries, keys: keys)
        guard leaks.isEmpty else { throw CoreError(.sealing, "personal data in the clear: \(leaks.first!)") }
        let sealedCount = entries.filter { $0.envelope.sealed != nil }.count
        checks.append("\(sealedCount) sealed payloads open with their subject keys; no personal field appears in any entry's bytes")

        var counts: [String: Int] = [:]
        for entry in entries { counts[entry.envelope.type, default: 0] += 1 }
        let joins = entries.filter { $0.envelope.type == MemberJoined.schema.type }
        return Summary(
            origin: origin, vkey: signer.verifier.vkey, countsByType: counts,
            subjects: Set(entries.compactMap(\.envelope.subject)).count,
            regions: Set(joins.compactMap { $0.envelope.payload["region"]?.stringValue }).count,
            constituencies: Set(joins.compactMap { $0.envelope.payload["constituency"]?["code"]?.stringValue }).count,
            donationsPence: entries.filter { $0.envelope.type == DonationReceived.schema.type }
                .compactMap { $0.envelope.payload["amount"]?["minor"]?.integerValue }.reduce(0, +),
            checkpoint: note, checks: checks)
    }
}

/// Looks for personal data in entries' bytes: opens every sealed payload and checks that none of
/// its string values appears anywhere in the entry's canonical bytes.
public enum PersonalDataCheck {
    /// Descriptions of every leak found (empty when none).
    public static func leaks(in entries: [Entry], keys: any SubjectKeyStore) throws -> [String] {
        var found: [String] = []
        for entry in entries {
            guard let sealed = entry.envelope.sealed, let subject = entry.envelope.subject else { continue }
            guard case .active(let key) = try keys.lookup(subject) else { continue }
            let personal = try sealed.open(key: key, origin: entry.envelope.origin, id: entry.envelope.id)
            for (field, value) in personal.objectValue ?? [:] {
                guard let text = value.stringValue, text.utf8.count >= 4 else { continue }
                if entry.bytes.firstRange(of: Array(text.utf8)) != nil {
                    found.append("\(entry.envelope.type) \(entry.envelope.id): \(field)")
                }
            }
        }
        return found
    }
}
