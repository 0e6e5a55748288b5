extension DonationRegister {
    /// The register as report sections: reportable donations, permissibility, returns and
    /// refunds, and unassessed (non-sterling) donations, with the notes an auditor needs.
    public func tables(rules: DonationRules) -> [ReportTable] {
        let period = quarter.map { "\(year) Q\($0)" } ?? "\(year)"
        let scope = unit == .central ? "central party" : "accounting units"
        let threshold = rules.forDate(try! CalendarDate(year: year, month: 12, day: 31))
        var reportable = ReportTable(
            title: "Donation register \(period), \(scope): reportable donations",
            columns: ["quarter", "unit", "donor", "donor kind", "received", "donation id", "value", "aggregate", "reason"],
            rows: self.reportable.map { r in
                [.text("Q\(r.quarter)"), .text(r.unit), .text(r.donation.donor), .text(r.donation.donorKind ?? ""),
                 .text(r.donation.receivedOn.description), .text(r.donation.id), .money(r.valueMinor), .money(r.aggregateMinor),
                 .text(r.reason)]
            })
        reportable.notes = [
            "Gifts of £\(Currency.gbp.formatMajor(threshold.donationOverMinor)) or less are not donations under the rules and are not listed: \(smallCount) in this period, totalling £\(Currency.gbp.formatMajor(smallTotalMinor)).",
            unit == .central
                ? "Reportable once a donor's donations in \(year) exceed £\(Currency.gbp.formatMajor(threshold.centralInitialOverMinor)), then each further £\(Currency.gbp.formatMajor(threshold.centralFurtherOverMinor))."
                : "Reportable once a donor's donations to one accounting unit in \(year) exceed £\(Currency.gbp.formatMajor(threshold.unitInitialOverMinor)), then each further £\(Currency.gbp.formatMajor(threshold.unitFurtherOverMinor)).",
            "reason: single = one donation over the threshold; aggregate = the donor's donations together crossed it; further = after the first report.",
        ]
        let permissibility = ReportTable(
            title: "Permissibility checks outstanding or late (due within \(threshold.permissibilityDays) days of receipt)",
            columns: ["donation id", "donor", "received", "amount", "issue", "days"],
            rows: self.permissibility.map { p in
                [.text(p.donation.id), .text(p.donation.donor), .text(p.donation.receivedOn.description), .money(p.donation.amountMinor),
                 .text(p.issue), .integer(p.days)]
            })
        let returned = ReportTable(
            title: "Donations returned or refunded",
            columns: ["donation id", "donor", "received", "amount", "returned", "refunded"],
            rows: self.returned.map { d in
                [.text(d.id), .text(d.donor), .text(d.receivedOn.description), .money(d.amountMinor),
                 d.returnedOn.map { .text($0.description) } ?? .empty, .money(d.refundedMinor)]
            })
        var out = [reportable, permissibility, returned]
        if !unassessed.isEmpty {
            out.append(ReportTable(
                title: "Not in sterling: not assessed", columns: ["donation id", "donor", "received", "currency", "amount minor"],
                rows: unassessed.map { d in
                    [.text(d.id), .text(d.donor), .text(d.receivedOn.description), .text(d.currency), .integer(d.amountMinor)]
                }))
        }
        return out
    }
}
