import Foundation
import GRDB
import MusterCore
import MusterStore
import MusterTesting
import Testing

/// `muster verify` (`Hub.verify`) must catch every kind of tampering with the database, naming origin and seq.
@Suite struct HubVerifyTests {
    private func tampered(_ sql: String, arguments: StatementArguments = []) async throws -> [AuditFinding] {
        let t = try TestHub()
        _ = try await t.hub.recordBulk(TestHub.drafts(members: 30), chunk: 64)
        let clean = try await t.hub.verify()
        #expect(clean.ok, "\(clean.findings)")
        try t.hub.settleProjections()
        var config = Configuration()
        config.busyMode = .timeout(10)  // the hub's background projection catch-up may hold the write lock briefly
        let raw = try DatabaseQueue(path: t.temp.path("hub/log.sqlite"), configuration: config)
        try await raw.write { db in try db.execute(sql: sql, arguments: arguments) }
        try raw.close()
        return try await t.hub.verify().findings
    }

    @Test func aFlippedByteInAnEntryIsNamed() async throws {
        // Replace one character inside seq 10's payload; the bytes stay JSON but no longer match the checkpoints.
        let findings = try await tampered("""
            UPDATE entry SET bytes = CAST(replace(CAST(bytes AS TEXT), '"operator":"op-', '"operator":"oq-') AS BLOB) WHERE seq = 10
            """)
        #expect(findings.contains { $0.message.contains("its root is not the root of the entries") })
        #expect(findings.contains { $0.message.contains("does not hold the hashes of the entries") })
    }

    @Test func aNonCanonicalEntryIsNamedWithItsSeq() async throws {
        let findings = try await tampered("UPDATE entry SET bytes = CAST(' ' || CAST(bytes AS TEXT) AS BLOB) WHERE seq = 7")
        #expect(findings.first?.seq == 7)
        #expect(findings.first?.message.contains("canonical") == true, "\(findings)")
    }

    @Test func aDroppedEntryIsNamed() async throws {
        let findings = try await tampered("DELETE FROM entry WHERE seq = 12")
        #expect(findings.contains { $0.seq == 12 && $0.message.contains("missing from the store") }, "\(findings)")
    }

    @Test func aForgedCheckpointSignatureIsNamed() async throws {
        let findings = try await tampered("""
            UPDATE checkpoint SET note = replace(note, substr(note, length(note) - 10, 4), 'AAAA') WHERE size = 64
            """)
        #expect(findings.contains { $0.seq == 64 && $0.message.contains("is not signed by") }, "\(findings)")
    }

    @Test func aCheckpointBeyondTheEntriesIsNamed() async throws {
        let findings = try await tampered("DELETE FROM entry WHERE seq = (SELECT MAX(seq) FROM entry)")
        #expect(findings.contains { $0.message.contains("missing from the store") }, "\(findings)")
    }

    @Test func anEntryPastTheOriginsSizeIsNamed() async throws {
        let findings = try await tampered("UPDATE origin SET size = size - 1 WHERE is_local = 1")
        #expect(findings.contains { $0.message.contains("1 entries are stored past") }, "\(findings)")
    }

    @Test func anUnknownOriginKeyIsAFinding() async throws {
        let t = try TestHub()
        _ = try await t.hub.recordBulk(TestHub.drafts(members: 2))
        let report = try await Auditor(keys: [:]).run(StoreAuditSource(store: t.hub.store, label: "test"))
        #expect(report.findings.first?.message.contains("no hub on the roster is named") == true)
    }
}
