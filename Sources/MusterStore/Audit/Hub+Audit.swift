import Foundation
import GRDB
public import MusterCore

extension Hub {
    /// The log keys this hub trusts: its own, and its roster's hubs'.
    public var trustedKeys: [String: NoteVerifier] {
        var keys = [origin: verifier]
        for member in roster?.hubs ?? [] where member.name != origin { keys[member.name] = member.verifier }
        return keys
    }

    /// `muster verify`: every check of an audit over this hub's own store, trusting its own key and
    /// its roster (``Auditor``, ``StoreAuditSource``) — entries, tiles, roots, checkpoint
    /// signatures and history, author signatures, ids, references of the right kind, evidence —
    /// and that no entry is stored past the size an origin's row records. A reference to an event
    /// the hub does not hold is noted, not a finding: it may be another hub's, not yet synced.
    /// - Parameter progress: hears (origin, entries done, entries in that log) now and then.
    public func verify(progress: (String, UInt64, UInt64) -> Void = { _, _, _ in }) async throws -> AuditReport {
        let source = try StoreAuditSource(store: store, label: directory.url.path)
        var auditor = Auditor(keys: trustedKeys, authors: AuthorTrust(roster: roster))
        auditor.unresolvedReferencesAreFindings = false
        var report = try await auditor.run(source, progress: progress)
        let beyond = try store.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.name, o.size, (SELECT COUNT(*) FROM entry e WHERE e.origin_id = o.id AND e.seq > o.size) AS extra FROM origin o
                """)
        }
        for row in beyond where (row["extra"] as Int64) > 0 {
            let size: Int64 = row["size"], extra: Int64 = row["extra"]
            report.add(AuditFinding(origin: row["name"], seq: UInt64(size) + 1, "\(extra) entries are stored past the \(size) the origin's row records"))
        }
        return report
    }

    /// Checks this hub's donations read model against the donations folded from the entries by
    /// an audit (`entries` of them): each donation must be the same, field by field. Compared only
    /// when the read model is built, not pinned and caught up with the entries audited.
    public func compareDonationReadModel(with ledger: DonationLedger, entries: UInt64, into report: inout AuditReport) throws {
        guard let status = try projections.status().first(where: { $0.name == DonationsProjection().name }),
              status.builtVersion != nil, status.limit == nil else {
            return report.note("the donations read model is not built, or is pinned: not compared with the entries")
        }
        let arrivals = try store.pool.read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(arrival), 0) FROM entry") ?? 0 }
        let held = try store.origins().reduce(UInt64(0)) { $0 + $1.size }
        guard status.position == arrivals, held == entries else {
            return report.note("the donations read model is behind the log (a catch-up is due): not compared with the entries")
        }
        var model: [String: DonationRegister.Donation] = [:]
        for d in try Reports(engine: projections).registerDonations() { model[d.id] = d }
        var differing = 0
        for d in ledger.donations() {
            if model.removeValue(forKey: d.id) != d {
                differing += 1
                report.add(AuditFinding(origin: nil, "the donations read model differs from the entries for donation \(d.id)"))
            }
        }
        for id in model.keys.sorted() {
            differing += 1
            report.add(AuditFinding(origin: nil, "the donations read model holds donation \(id), which the entries do not"))
        }
        if differing == 0 { report.note("the donations read model agrees with the entries, donation by donation") }
    }
}
