import Foundation

/// A report's table: named columns, rows of values, and notes for the reader. Renders as an
/// aligned text table, CSV (RFC 4180) or JSON (an array of objects, RFC 8785).
public struct ReportTable: Sendable, Hashable {
    /// A cell.
    public enum Cell: Sendable, Hashable {
        case text(String)
        case integer(Int64)
        /// An amount in minor units of a currency with two decimals, shown as `1234.56`.
        case money(Int64)
        case empty

        var rendered: String {
            switch self {
            case .text(let s): s
            case .integer(let n): String(n)
            case .money(let m): Currency.gbp.formatMajor(m)
            case .empty: ""
            }
        }

        var json: JSONValue {
            switch self {
            case .text(let s): .string(s)
            case .integer(let n): .number(Double(n))
            case .money(let m): .string(Currency.gbp.formatMajor(m))
            case .empty: .null
            }
        }

        var isNumeric: Bool {
            switch self {
            case .integer, .money: true
            default: false
            }
        }
    }

    public var title: String
    public var columns: [String]
    public var rows: [[Cell]]
    public var notes: [String]

    /// A table.
    public init(title: String, columns: [String], rows: [[Cell]] = [], notes: [String] = []) {
        self.title = title; self.columns = columns; self.rows = rows; self.notes = notes
    }

    /// Output formats.
    public enum Format: String, Sendable, CaseIterable { case table, csv, json }

    /// Renders several tables (a report's sections).
    public static func render(_ tables: [ReportTable], as format: Format) -> String {
        switch format {
        case .table: return tables.map(\.text).joined(separator: "\n")
        case .csv: return tables.map(\.csv).joined(separator: "\n")
        case .json:
            let sections: [JSONValue] = tables.map { t in
                .object(["title": .string(t.title), "notes": .array(t.notes.map(JSONValue.string)),
                         "rows": .array(t.rows.map { row in
                             .object(Dictionary(uniqueKeysWithValues: zip(t.columns, row.map(\.json))))
                         })])
            }
            let value: JSONValue = sections.count == 1 ? sections[0] : .array(sections)
            return ((try? CanonicalJSON.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null") + "\n"
        }
    }

    /// Aligned text with a title line, numbers right-aligned, notes after.
    public var text: String {
        var widths = columns.map(\.count)
        let cells = rows.map { $0.map(\.rendered) }
        for row in cells { for (i, c) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ values: [String], numeric: [Bool]) -> String {
            values.enumerated().map { i, v in
                let pad = String(repeating: " ", count: max(0, widths[i] - v.count))
                return numeric[i] ? pad + v : v + pad
            }.joined(separator: "  ").replacingOccurrences(of: " +$", with: "", options: .regularExpression)
        }
        let numeric = columns.indices.map { i in rows.contains { i < $0.count && $0[i].isNumeric } }
        var out = title + "\n" + line(columns, numeric: numeric) + "\n"
        out += line(widths.map { String(repeating: "-", count: $0) }, numeric: numeric) + "\n"
        for row in cells { out += line(row, numeric: numeric) + "\n" }
        if rows.isEmpty { out += "(none)\n" }
        for note in notes { out += "note: " + note + "\n" }
        return out
    }

    /// CSV: a header row, then the rows; notes are not data and are left out.
    public var csv: String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out = columns.map(field).joined(separator: ",") + "\r\n"
        for row in rows { out += row.map { field($0.rendered) }.joined(separator: ",") + "\r\n" }
        return out
    }
}
