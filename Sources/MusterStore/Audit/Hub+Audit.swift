import GRDB
public import MusterCore

extension Hub {
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
