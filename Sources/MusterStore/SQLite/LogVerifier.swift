import Foundation
import GRDB
public import MusterCore

/// What `muster verify` found for one origin.
public struct OriginVerification: Sendable {
    /// The origin.
    public let origin: String
    /// Entries checked.
    public let entries: UInt64
    /// Checkpoints checked.
    public let checkpoints: Int
    /// Problems (empty when the origin verifies).
    public let findings: [AuditFinding]
}

/// Re-verifies stored logs from their bytes: every entry canonical and schema-valid and in place,
/// every author signature valid and by an officer on the roster,
/// the tree recomputed from the entries, every stored checkpoint's root and signature, and the
/// stored tiles against the recomputed tree. Checkpoints that all match roots of one append-only
/// sequence of leaves are consistent with each other by construction.
public struct LogVerifier: Sendable {
    /// Verifier keys by origin.
    public let verifiers: [String: NoteVerifier]
    /// The keys that may author-sign entries.
    public let authors: AuthorTrust
    /// Stop collecting after this many findings per origin.
    public let findingLimit: Int

    /// A verifier trusting `verifiers` for logs and the officers of `authors` for author signatures.
    public init(verifiers: [String: NoteVerifier], authors: AuthorTrust = AuthorTrust(officers: nil), findingLimit: Int = 20) {
        self.verifiers = verifiers
        self.authors = authors
        self.findingLimit = findingLimit
    }

    /// Verifies every origin the store holds.
    public func verify(_ store: SQLiteLogStore, progress: (String, UInt64) -> Void = { _, _ in }) throws -> [OriginVerification] {
        try store.origins().map { status in try verify(store, origin: status.origin, progress: progress) }
    }

    /// Verifies one origin.
    public func verify(_ store: SQLiteLogStore, origin: String, progress: (String, UInt64) -> Void = { _, _ in }) throws -> OriginVerification {
        try store.pool.read { db in
            var findings: [AuditFinding] = []
            func finding(_ seq: UInt64?, _ message: String) {
                if findings.count < findingLimit { findings.append(AuditFinding(origin: origin, seq: seq, message)) }
            }
            let (originID, size) = try SQLiteLogStore.originRow(db, origin)
            let verifier = verifiers[origin]
            if verifier == nil { finding(nil, "no verifier key is known for this origin") }
            let checkpoints = try Row.fetchCursor(db, sql: "SELECT size, root, note FROM checkpoint WHERE origin_id = ? ORDER BY size",
                                                  arguments: [originID])
            var nextCheckpoint = try checkpoints.next()
            var checkpointCount = 0
            var appender = MerkleAppender()
            func checkCheckpoints() throws {
                while let row = nextCheckpoint, UInt64(row["size"] as Int64) <= appender.size {
                    let cpSize = UInt64(row["size"] as Int64)
                    checkpointCount += 1
                    if cpSize == appender.size {
                        checkNote(row["note"], size: cpSize, root: appender.rootHash, verifier: verifier, finding: finding)
                    }
                    nextCheckpoint = try checkpoints.next()
                }
            }
            try checkCheckpoints()
            let cursor = try Row.fetchCursor(db, sql: "SELECT seq, bytes FROM entry WHERE origin_id = ? ORDER BY seq", arguments: [originID])
            while let row = try cursor.next() {
                let seq = UInt64(row[0] as Int64)
                let bytes: [UInt8] = try row.withUnsafeData(atIndex: 1) { $0.map(Array.init) ?? [] }
                if seq != appender.size + 1 { finding(seq, "entry out of sequence: expected seq \(appender.size + 1)") }
                do {
                    let entry = try Entry.decode(bytes)
                    if entry.envelope.seq != seq { finding(seq, "entry says seq \(entry.envelope.seq) but is stored at seq \(seq)") }
                    if entry.envelope.origin != origin { finding(seq, "entry says origin '\(entry.envelope.origin)'") }
                } catch {
                    finding(seq, "\(error)")
                }
                if AuthorSignature.isSigned(bytes) {
                    let (problem, key) = AuthorSignature.check(bytes)
                    if let problem = problem ?? key.flatMap(authors.problem) { finding(seq, problem) }
                }
                _ = appender.append(MerkleHash.leafHash(bytes))
                if seq % 65_536 == 0 { progress(origin, seq) }
                try checkCheckpoints()
            }
            progress(origin, appender.size)
            while let row = nextCheckpoint {
                finding(UInt64(row["size"] as Int64), "checkpoint covers \(row["size"] as Int64) entries but only \(appender.size) are stored")
                nextCheckpoint = try checkpoints.next()
            }
            if appender.size != size { finding(nil, "origin row says \(size) entries but \(appender.size) are stored") }
            if appender.size > 0 {
                do {
                    let tileRoot = try TileHashReader(db: db, originID: originID).root(treeSize: appender.size)
                    if tileRoot != appender.rootHash { finding(appender.size, "stored tiles give a different root from the entries") }
                } catch {
                    finding(appender.size, "stored tiles are incomplete: \(error)")
                }
            }
            return OriginVerification(origin: origin, entries: appender.size, checkpoints: checkpointCount, findings: findings)
        }
    }

    private func checkNote(_ note: String, size: UInt64, root: MerkleHash, verifier: NoteVerifier?,
                           finding: (UInt64?, String) -> Void) {
        guard let parsed = try? SignedNote(parsing: note), let checkpoint = try? Checkpoint(parsing: parsed.text) else {
            return finding(size, "stored checkpoint note is malformed")
        }
        if checkpoint.size != size { finding(size, "checkpoint note says size \(checkpoint.size)") }
        if let verifier, checkpoint.origin != verifier.name {
            finding(size, "checkpoint note names origin '\(checkpoint.origin)', not '\(verifier.name)'")
        }
        if checkpoint.rootHash != root.bytes { finding(size, "checkpoint root does not match the root recomputed from the entries") }
        if let verifier, !parsed.verify(against: [verifier]).isVerified {
            finding(size, "checkpoint signature does not verify with \(verifier.vkey)")
        }
    }
}
