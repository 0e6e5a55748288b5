import Foundation
import MusterCore

/// Turns `--field value` pairs from the command line into an event's clear payload and personal
/// fields, typed by the event's schema: personal fields go to the sealed payload without the user
/// asking. Nested fields use dots (`--constituency.code E14001063`); convenience forms:
/// `--amount 25.00` (with `--currency`, default GBP) or `--amount "25.00 GBP"`, and
/// `--constituency E14001063` (2024 boundaries).
struct FieldInput {
    let schema: EventSchema

    func parse(_ pairs: [(name: String, value: String)]) throws -> (payload: JSONValue, personal: JSONValue) {
        var clear: [String: JSONValue] = [:], personal: [String: JSONValue] = [:]
        let currency = pairs.last { $0.name == "currency" }?.value ?? "GBP"
        for (name, raw) in pairs where name != "currency" || schema.clear.contains(where: { $0.name == "currency" }) {
            let top = String(name.split(separator: ".", maxSplits: 1).first ?? "")
            if let field = schema.clear.first(where: { $0.name == top }) {
                try set(&clear, path: name, field: field, raw: raw, currency: currency)
            } else if let field = schema.personal.first(where: { $0.name == top }) {
                try set(&personal, path: name, field: field, raw: raw, currency: currency)
            } else {
                let known = (schema.clear + schema.personal).map(\.name).joined(separator: ", ")
                throw CoreError(.schemaViolation, "\(schema.type) has no field '\(name)'; its fields are: \(known)")
            }
        }
        return (.object(clear), .object(personal))
    }

    private func set(_ object: inout [String: JSONValue], path: String, field: FieldSpec, raw: String, currency: String) throws {
        let parts = path.split(separator: ".").map(String.init)
        if parts.count == 1 {
            object[field.name] = try value(raw, kind: field.kind, name: field.name, currency: currency)
            return
        }
        guard case .object(let subfields) = effectiveObject(field.kind) else {
            throw CoreError(.schemaViolation, "field '\(field.name)' has no part '\(parts.dropFirst().joined(separator: "."))'")
        }
        guard parts.count == 2, let sub = subfields.first(where: { $0.name == parts[1] }) else {
            throw CoreError(.schemaViolation, "field '\(field.name)' has no part '\(parts[1])'; its parts are: \(subfields.map(\.name).joined(separator: ", "))")
        }
        var inner = object[field.name]?.objectValue ?? [:]
        inner[sub.name] = try value(raw, kind: sub.kind, name: path, currency: currency)
        object[field.name] = .object(inner)
    }

    private func effectiveObject(_ kind: FieldKind) -> FieldKind {
        switch kind {
        case .money:
            .object([.required("minor", .integer(min: 0, max: Money.maxMinor), ""), .required("currency", .text(maxLength: 3), "")])
        case .constituency:
            .object([.required("code", .text(maxLength: 9), ""), .required("boundarySet", .text(maxLength: 4), "")])
        default: kind
        }
    }

    private func value(_ raw: String, kind: FieldKind, name: String, currency: String) throws -> JSONValue {
        switch kind {
        case .integer:
            guard let n = Int64(raw) else { throw CoreError(.schemaViolation, "--\(name): '\(raw)' is not a whole number") }
            return .number(Double(n))
        case .boolean:
            guard let b = Bool(raw) else { throw CoreError(.schemaViolation, "--\(name): '\(raw)' is not true or false") }
            return .bool(b)
        case .money: return try money(raw, name: name, defaultCurrency: currency)
        case .constituency:
            let parts = raw.split(separator: "/").map(String.init)
            let c = try Constituency(code: parts[0], boundarySet: parts.count > 1 ? parts[1] : "2024")
            return .object(["code": .string(c.code), "boundarySet": .string(c.boundarySet)])
        default: return .string(raw)
        }
    }

    /// `25`, `25.5`, `25.50`, optionally with a currency code before or after.
    private func money(_ raw: String, name: String, defaultCurrency: String) throws -> JSONValue {
        var words = raw.split(separator: " ").map(String.init)
        var code = defaultCurrency
        if let i = words.firstIndex(where: { $0.allSatisfy(\.isLetter) }) { code = words.remove(at: i) }
        let currency = try Currency(code)
        guard words.count == 1 else { throw CoreError(.schemaViolation, "--\(name): '\(raw)' is not an amount such as 25.00") }
        let amount = words[0]
        let pieces = amount.split(separator: ".", omittingEmptySubsequences: false)
        guard amount.first != "-" else { throw CoreError(.schemaViolation, "--\(name): amounts cannot be negative ('\(raw)')") }
        guard (1...2).contains(pieces.count), let whole = Int64(pieces[0]), whole >= 0,
              pieces.count == 1 || (pieces[1].count <= currency.exponent && pieces[1].allSatisfy(\.isNumber) && !pieces[1].isEmpty)
        else {
            throw CoreError(.schemaViolation, "--\(name): '\(raw)' is not an amount in \(currency.code) with at most \(currency.exponent) decimals")
        }
        var scale: Int64 = 1
        for _ in 0..<currency.exponent { scale *= 10 }
        var fraction: Int64 = 0
        if pieces.count == 2 {
            let digits = String(pieces[1]) + String(repeating: "0", count: currency.exponent - pieces[1].count)
            fraction = Int64(digits) ?? 0
        }
        let (product, overflow) = whole.multipliedReportingOverflow(by: scale)
        guard !overflow, product <= Money.maxMinor - fraction else { throw CoreError(.schemaViolation, "--\(name): '\(raw)' is too large") }
        let m = try Money(minor: product + fraction, currency: currency)
        return .object(["minor": .number(Double(m.minor)), "currency": .string(m.currency.code)])
    }
}
