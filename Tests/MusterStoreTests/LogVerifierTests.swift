import Foundation
import GRDB
import MusterCore
import MusterStore
import MusterTesting
import Testing

/// `muster verify` must catch every kind of tampering with the database, naming origin and seq.
@Suite struct LogVerifierTests {
    private func tampered(_ sql: String, arguments: StatementArguments = []) async throws -> [AuditFinding] {
        let t = try TestHub()
        _ = try await t.hub.recordBulk(TestHub.drafts(members: 30), chunk: 64)
        let clean = try LogVerifier(verifiers: [t.hub.origin: t.hub.verifier]).verify(t.hub.store)
        #expect(clean.allSatisfy { $0.findings.isEmpty })
        try t.hub.settleProjections()
        var config = Configuration()
        config.busyMode = .timeout(10)  // the hub's background projection catch-up may hold the write lock briefly
        let raw = try DatabaseQueue(path: t.temp.path("hub/log.sqlite"), configuration: config)
        try await raw.write { db in try db.execute(sql: sql, arguments: arguments) }
        try raw.close()
        return try LogVerifier(verifiers: [t.hub.origin: t.hub.verifier]).verify(t.hub.store).flatMap(\.findings)
    }

    @Test func aFlippedByteInAnEntryIsNamed() async throws {
        // Replace one character inside seq 10's payload; the bytes stay JSON but no longer match the checkpoints.
        let findings = try await tampered("""
            UPDATE entry SET bytes = CAST(replace(CAST(bytes AS TEXT), '"operator":"op-', '"operator":"oq-') AS BLOB) WHERE seq = 10
            """)
        #expect(findings.contains { $0.message.contains("checkpoint root does not match") })
        #expect(findings.contains { $0.message.contains("tiles") })
    }

    @Test func aNonCanonicalEntryIsNamedWithItsSeq() async throws {
        let findings = try await tampered("UPDATE entry SET bytes = CAST(' ' || CAST(bytes AS TEXT) AS BLOB) WHERE seq = 7")
        #expect(findings.first?.seq == 7)
        #expect(findings.first?.message.contains("not canonical") == true)
    }

    @Test func aDroppedEntryIsNamed() async throws {
        let findings = try await tampered("DELETE FROM entry WHERE seq = 12")
        #expect(findings.contains { $0.seq == 13 && $0.message.contains("out of sequence") })
    }

    @Test func aForgedCheckpointSignatureIsNamed() async throws {
        let findings = try await tampered("""
            UPDATE checkpoint SET note = replace(note, substr(note, length(note) - 10, 4), 'AAAA') WHERE size = 64
            """)
        #expect(findings.contains { $0.seq == 64 && $0.message.contains("signature") })
    }

    @Test func aCheckpointBeyondTheEntriesIsNamed() async throws {
        let findings = try await tampered("DELETE FROM entry WHERE seq = (SELECT MAX(seq) FROM entry)")
        #expect(findings.contains { $0.message.contains("only") && $0.message.contains("stored") })
    }

    @Test func anUnknownOriginKeyIsAFinding() async throws {
        let t = try TestHub()
        _ = try await t.hub.recordBulk(TestHub.drafts(members: 2))
        let results = try LogVerifier(verifiers: [:]).verify(t.hub.store)
        #expect(results.first?.findings.first?.message.contains("no verifier key") == true)
    }
}
