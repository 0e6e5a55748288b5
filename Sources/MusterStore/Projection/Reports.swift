import GRDB
public import MusterCore

/// The reports hubs, operators and auditors read, as SQL over the read models.
public struct Reports: Sendable {
    let engine: ProjectionEngine

    /// Reports over a hub's read models.
    public init(engine: ProjectionEngine) { self.engine = engine }

    /// A date range, inclusive at both ends; either end may be open.
    public struct Period: Sendable, Hashable {
        public var from: CalendarDate?
        public var to: CalendarDate?
        /// A period.
        public init(from: CalendarDate? = nil, to: CalendarDate? = nil) { self.from = from; self.to = to }

        func sql(_ column: String) -> (String, [String]) {
            var clauses: [String] = [], args: [String] = []
            if let from { clauses.append("\(column) >= ?"); args.append(from.description) }
            if let to { clauses.append("\(column) <= ?"); args.append(to.description) }
            return (clauses.isEmpty ? "1" : clauses.joined(separator: " AND "), args)
        }

        var label: String {
            switch (from, to) {
            case (nil, nil): "all dates"
            case (let f?, nil): "from \(f)"
            case (nil, let t?): "up to \(t)"
            case (let f?, let t?): "\(f) to \(t)"
            }
        }
    }

    /// The groupings each report takes (the first is its default).
    public static let groupings: [String: [String]] = [
        "members": ["region", "constituency", "month"],
        "donations": ["month", "region", "donor", "unit", "method"],
        "trainings": ["course", "month", "region"],
        "pledges": ["seat", "kind", "election"],
    ]

    /// Members by region, constituency or month of joining; a period filters by join date.
    public func members(by: String, period: Period) throws -> ReportTable {
        let group = switch by {
        case "constituency": "COALESCE(constituency, '(unknown)')"
        case "month": "COALESCE(substr(joined_on, 1, 7), '(unknown)')"
        default: "COALESCE(region, '(unknown)')"
        }
        let (filter, args) = period.sql("joined_on")
        let rows = try fetch("""
            SELECT \(group) AS g, COUNT(*) AS total,
                SUM(status = 'active'), SUM(status = 'lapsed'), SUM(status = 'left'), SUM(status = 'erased'), SUM(status = 'unknown')
            FROM rm_member WHERE \(filter) GROUP BY g ORDER BY g
            """, args)
        return ReportTable(title: "Members by \(by) (joined \(period.label))",
                           columns: [by, "members", "active", "lapsed", "left", "erased", "join not yet held"],
                           rows: rows.map { r in [.text(r[0])] + (1...6).map { .integer(r[$0]) } },
                           notes: ["status is each member's latest; erased members' personal data is destroyed"])
    }

    /// Donations by month, region (the donor's, as a member), donor, accounting unit or method;
    /// returns and refunds netted. A period filters by receipt date.
    public func donations(by: String, period: Period) throws -> ReportTable {
        let group = switch by {
        case "region": "COALESCE(m.region, '(not a member)')"
        case "donor": "d.donor"
        case "unit": "COALESCE(d.unit, 'central')"
        case "method": "d.method"
        default: "substr(d.received_on, 1, 7)"
        }
        let (filter, args) = period.sql("d.received_on")
        let rows = try fetch("""
            SELECT \(group) AS g, d.currency, COUNT(*), SUM(d.amount_minor),
                SUM(CASE WHEN d.returned_on IS NULL THEN d.refunded_minor ELSE 0 END),
                SUM(CASE WHEN d.returned_on IS NULL THEN 0 ELSE d.amount_minor END),
                SUM(CASE WHEN d.returned_on IS NULL THEN MAX(d.amount_minor - d.refunded_minor, 0) ELSE 0 END)
            FROM rm_donation d LEFT JOIN rm_member m ON m.key = d.donor
            WHERE \(filter) GROUP BY g, d.currency ORDER BY g, d.currency
            """, args)
        return ReportTable(title: "Donations by \(by) (received \(period.label))",
                           columns: [by, "currency", "donations", "gross", "refunded", "returned", "net"],
                           rows: rows.map { r in [.text(r[0]), .text(r[1]), .integer(r[2])] + (3...6).map { .money(r[$0]) } },
                           notes: ["net = gross less refunds, with returned donations counted as nothing"])
    }

    /// Training attendance by course, month or region of the session; a period filters by the
    /// session's date.
    public func trainings(by: String, period: Period) throws -> ReportTable {
        let group = switch by {
        case "month": "COALESCE(substr(s.held_on, 1, 7), '(session not held)')"
        case "region": "COALESCE(s.region, '(session not held)')"
        default: "a.course"
        }
        let (filter, args) = period.sql("s.held_on")
        let periodFilter = period.from == nil && period.to == nil ? "1" : filter
        let rows = try fetch("""
            SELECT \(group) AS g, COUNT(DISTINCT a.session_id), SUM(a.attendance = 'attended'),
                SUM(a.attendance = 'facilitated'), SUM(a.attendance = 'absent'),
                COUNT(DISTINCT CASE WHEN a.attendance != 'absent' THEN a.subject END)
            FROM rm_attendance a LEFT JOIN rm_session s ON s.key = a.session_id
            WHERE \(periodFilter) GROUP BY g ORDER BY g
            """, args)
        return ReportTable(title: "Trainings by \(by) (sessions \(period.label))",
                           columns: [by, "sessions", "attended", "facilitated", "absent", "members trained"],
                           rows: rows.map { r in [.text(r[0])] + (1...5).map { .integer(r[$0]) } })
    }

    /// Pledges by seat, kind or election; a period filters by the date the pledge was recorded.
    public func pledges(by: String, period: Period) throws -> ReportTable {
        let group = switch by {
        case "kind": "kind"
        case "election": "COALESCE(election, '(unspecified)')"
        default: "seat"
        }
        let (filter, args) = period.sql("made_on")
        let rows = try fetch("""
            SELECT \(group) AS g, COUNT(*), SUM(status = 'open'), SUM(status = 'fulfilled'), SUM(status = 'withdrawn'),
                COALESCE(SUM(CASE WHEN currency = 'GBP' AND status != 'withdrawn' THEN amount_minor END), 0),
                COALESCE(SUM(CASE WHEN status != 'withdrawn' THEN hours END), 0)
            FROM rm_pledge WHERE \(filter) GROUP BY g ORDER BY g
            """, args)
        return ReportTable(title: "Pledges by \(by) (made \(period.label))",
                           columns: [by, "pledges", "open", "fulfilled", "withdrawn", "pledged GBP", "hours"],
                           rows: rows.map { r in [.text(r[0])] + (1...4).map { .integer(r[$0]) } + [.money(r[5]), .integer(r[6])] },
                           notes: ["amounts and hours exclude withdrawn pledges"])
    }

    private func fetch(_ sql: String, _ arguments: [String] = []) throws -> [Row] {
        try engine.readViews { db in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) }
    }

    /// Per-origin log status as the read model holds it.
    public func logStatus() throws -> ReportTable {
        let rows = try fetch("SELECT key, entries, max_seq, first_recorded_at, last_recorded_at, voids FROM rm_origin ORDER BY key")
        return ReportTable(title: "Logs held", columns: ["origin", "entries", "max seq", "first recorded", "last recorded", "voids"],
                           rows: rows.map { r in [.text(r[0]), .integer(r[1]), .integer(r[2]), .text(r[3]), .text(r[4]), .integer(r[5])] },
                           notes: ["entries < max seq means this hub has not yet received all of that origin's log"])
    }

    /// The donations the register works from.
    public func registerDonations() throws -> [DonationRegister.Donation] {
        try engine.readViews { db in
            try Row.fetchAll(db, sql: """
                SELECT key, donor, donor_kind, amount_minor, currency, received_on, unit, refunded_minor, returned_on,
                    checked_on, check_outcome FROM rm_donation ORDER BY key
                """).map { r in
                let checkedOn: String? = r["checked_on"], outcome: String? = r["check_outcome"]
                return DonationRegister.Donation(
                    id: r["key"], donor: r["donor"] ?? "(no donor)", donorKind: r["donor_kind"], amountMinor: r["amount_minor"],
                    currency: r["currency"], receivedOn: try CalendarDate(r["received_on"] as String), accountingUnit: r["unit"],
                    refundedMinor: r["refunded_minor"], returnedOn: try (r["returned_on"] as String?).map { (s) throws(CoreError) in try CalendarDate(s) },
                    check: try checkedOn.map { (s) throws(CoreError) in DonationRegister.Check(checkedOn: try CalendarDate(s), outcome: outcome ?? "") })
            }
        }
    }
}
