import Foundation

/// One way a value fails its schema: where (a JSON path such as `$.payload.amount.minor`) and what.
public struct SchemaViolation: Hashable, Sendable, CustomStringConvertible {
    /// JSON path of the failing value.
    public let path: String
    /// What is wrong, for a person.
    public let message: String
    public var description: String { "\(path): \(message)" }
}

/// A validator compiled from a JSON Schema (2020-12) document.
///
/// It implements the keywords Muster's schemas use — `type`, `const`, `enum`, `properties`,
/// `required`, `additionalProperties: false`, `items`, `minItems`/`maxItems`, `minLength`/`maxLength`
/// (in Unicode code points), `minimum`/`maximum`, `pattern`, `format` (`date`, `date-time`,
/// `email`, asserted) and local `$ref` into `$defs` — and rejects a schema that uses any other
/// validation keyword, so a schema can never silently validate less than it says.
public struct SchemaValidator: Sendable {
    let root: Node
    /// The same schema flattened for ``accepts(_:in:)``.
    let program: TapeProgram
    private let redactsValues: Bool

    /// Compiles a schema document.
    /// - Parameter redactsValues: keep offending values out of messages (for personal fields).
    public init(schema: JSONValue, redactsValues: Bool = false) throws(CoreError) {
        let defs = schema["$defs"]?.objectValue ?? [:]
        root = try Node.compile(schema, defs: defs, depth: 0)
        program = TapeProgram(root)
        self.redactsValues = redactsValues
    }

    /// Every violation (at most `limit`), in document order; empty when the value is valid.
    public func violations(of value: JSONValue, limit: Int = 20) -> [SchemaViolation] {
        var out: [SchemaViolation] = []
        var path: [Node.Step] = []
        path.reserveCapacity(8)
        root.check(value, path: &path, into: &out, limit: limit, redact: redactsValues)
        return out
    }

    /// Throws ``CoreError/Code/schemaViolation`` naming the first failing field.
    public func validate(_ value: JSONValue, context: String = "") throws(CoreError) {
        let found = violations(of: value, limit: 1)
        if let first = found.first {
            throw CoreError(.schemaViolation, context.isEmpty ? first.description : "\(context): \(first)")
        }
    }
}

extension SchemaValidator {
    /// A `pattern` or `format`: what it says, and its matcher (a native one when `known`).
    struct Pattern: Sendable {
        let text: String
        let match: PatternLibrary.ByteMatcher
        let known: PatternLibrary.Known?

        init(text: String, match: @escaping PatternLibrary.ByteMatcher, known: PatternLibrary.Known?) {
            self.text = text; self.match = match; self.known = known
        }

        init(text: String, known: PatternLibrary.Known) {
            self.init(text: text, match: { known.matches($0) }, known: known)
        }
    }

    final class Node: Sendable {
        let types: [String]?
        let constValue: JSONValue?
        let enumValues: Set<JSONValue>?
        let properties: [String: Node]
        let orderedProperties: [(name: String, node: Node)]
        let required: [String]
        let closed: Bool
        let items: Node?
        let minItems: Int?, maxItems: Int?
        let minLength: Int?, maxLength: Int?
        let minimum: Double?, maximum: Double?
        let patterns: [Pattern]

        private static let known: Set<String> = [
            "$schema", "$id", "$defs", "title", "description", "type", "const", "enum", "properties", "required",
            "additionalProperties", "items", "minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum",
            "pattern", "format", "$ref", "$comment", "examples",
        ]

        init(types: [String]?, constValue: JSONValue?, enumValues: Set<JSONValue>?, properties: [String: Node],
             required: [String], closed: Bool, items: Node?, minItems: Int?, maxItems: Int?, minLength: Int?,
             maxLength: Int?, minimum: Double?, maximum: Double?, patterns: [Pattern]) {
            self.types = types; self.constValue = constValue; self.enumValues = enumValues
            self.properties = properties; self.orderedProperties = properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            self.required = required; self.closed = closed; self.items = items
            self.minItems = minItems; self.maxItems = maxItems; self.minLength = minLength; self.maxLength = maxLength
            self.minimum = minimum; self.maximum = maximum; self.patterns = patterns
        }

        static func compile(_ schema: JSONValue, defs: [String: JSONValue], depth: Int) throws(CoreError) -> Node {
            guard depth < 32 else { throw CoreError(.schemaViolation, "schema nests $ref too deeply") }
            guard case .object(let s) = schema else { throw CoreError(.schemaViolation, "a schema must be an object") }
            if let ref = s["$ref"]?.stringValue {
                let prefix = "#/$defs/"
                guard ref.hasPrefix(prefix), let target = defs[String(ref.dropFirst(prefix.count))] else {
                    throw CoreError(.schemaViolation, "unresolvable $ref '\(ref)'")
                }
                return try compile(target, defs: defs, depth: depth + 1)
            }
            if let unknown = s.keys.first(where: { !known.contains($0) }) {
                throw CoreError(.schemaViolation, "schema keyword '\(unknown)' is not supported by this validator")
            }
            var properties: [String: Node] = [:]
            for (name, sub) in s["properties"]?.objectValue ?? [:] {
                properties[name] = try compile(sub, defs: defs, depth: depth + 1)
            }
            var patterns: [Pattern] = []
            if let p = s["pattern"]?.stringValue { patterns.append(Pattern(text: p, match: try matcher(p), known: PatternLibrary.Known(pattern: p))) }
            if let format = s["format"]?.stringValue {
                switch format {
                case "date": patterns.append(Pattern(text: "format date", known: .calendarDate))
                case "date-time": patterns.append(Pattern(text: "format date-time", known: .instant))
                case "email": patterns.append(Pattern(text: "format email", known: .email))
                default: throw CoreError(.schemaViolation, "format '\(format)' is not supported by this validator")
                }
            }
            var items: Node?
            if let i = s["items"] { items = try compile(i, defs: defs, depth: depth + 1) }
            let types: [String]? =
                if let t = s["type"]?.stringValue { [t] } else { s["type"]?.arrayValue?.compactMap(\.stringValue) }
            return Node(
                types: types, constValue: s["const"], enumValues: s["enum"]?.arrayValue.map(Set.init),
                properties: properties, required: s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                closed: s["additionalProperties"] == .bool(false),
                items: items,
                minItems: s["minItems"]?.integerValue.map(Int.init), maxItems: s["maxItems"]?.integerValue.map(Int.init),
                minLength: s["minLength"]?.integerValue.map(Int.init), maxLength: s["maxLength"]?.integerValue.map(Int.init),
                minimum: s["minimum"]?.numberValue, maximum: s["maximum"]?.numberValue, patterns: patterns)
        }

        private static func matcher(_ pattern: String) throws(CoreError) -> PatternLibrary.ByteMatcher {
            if let native = PatternLibrary.byteMatcher(for: pattern) { return native }
            guard let regex = try? NSRegularExpression(pattern: pattern) else {
                throw CoreError(.schemaViolation, "pattern '\(pattern)' is not a valid regular expression")
            }
            return { u in
                let s = String(decoding: u, as: UTF8.self)
                return regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
            }
        }

        /// A JSON path under construction; rendered to text only when a violation is recorded, so
        /// validating a valid entry builds no strings.
        enum Step { case member(String), index(Int) }

        static func render(_ path: [Step]) -> String {
            path.reduce(into: "$") { text, step in
                switch step {
                case .member(let name): text += ".\(name)"
                case .index(let i): text += "[\(i)]"
                }
            }
        }

        func check(_ value: JSONValue, path: inout [Step], into out: inout [SchemaViolation], limit: Int, redact: Bool) {
            func show(_ v: JSONValue) -> String { redact ? "the value" : Node.show(v) }
            func fail(_ message: String) {
                if out.count < limit { out.append(SchemaViolation(path: Node.render(path), message: message)) }
            }
            if let types, !types.contains(where: { Node.matches(value, type: $0) }) {
                return fail("expected \(types.joined(separator: " or ")), found \(value.typeName)")
            }
            if let constValue, value != constValue { return fail("must be \(Node.show(constValue))") }
            if let enumValues, !enumValues.contains(value) {
                let shown = enumValues.count <= 12 ? ": one of " + enumValues.map(Node.show).sorted().joined(separator: ", ") : ""
                return fail("\(show(value)) is not an allowed value\(shown)")
            }
            switch value {
            case .string(let s):
                if minLength != nil || maxLength != nil {
                    let n = s.unicodeScalars.count
                    if let minLength, n < minLength { fail("must be at least \(minLength) characters") }
                    if let maxLength, n > maxLength { fail("must be at most \(maxLength) characters, found \(n)") }
                }
                if !patterns.isEmpty {
                    var text = s
                    let failing = text.withUTF8 { u in patterns.filter { !$0.match(u) } }
                    for p in failing { fail("\(show(value)) does not match \(p.text)") }
                }
            case .number(let n):
                if let minimum, n < minimum { fail("must be at least \(Node.show(.number(minimum))), found \(show(value))") }
                if let maximum, n > maximum { fail("must be at most \(Node.show(.number(maximum))), found \(show(value))") }
            case .array(let elements):
                if let minItems, elements.count < minItems { fail("must have at least \(minItems) items") }
                if let maxItems, elements.count > maxItems { fail("must have at most \(maxItems) items") }
                if let items {
                    for (i, e) in elements.enumerated() {
                        path.append(.index(i))
                        items.check(e, path: &path, into: &out, limit: limit, redact: redact)
                        path.removeLast()
                    }
                }
            case .object(let members):
                for name in required where members[name] == nil { fail("missing required field '\(name)'") }
                // Known members in name order (precomputed), so errors come in a stable order without sorting.
                var seen = 0
                for (name, sub) in orderedProperties {
                    guard let member = members[name] else { continue }
                    seen += 1
                    path.append(.member(name))
                    sub.check(member, path: &path, into: &out, limit: limit, redact: redact)
                    path.removeLast()
                }
                if closed && seen < members.count {
                    for name in members.keys.sorted() where properties[name] == nil {
                        path.append(.member(name))
                        fail("unknown field")
                        path.removeLast()
                    }
                }
            default: break
            }
        }

        static func matches(_ value: JSONValue, type: String) -> Bool {
            switch (type, value) {
            case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string),
                 ("array", .array), ("object", .object): true
            case ("integer", .number): value.integerValue != nil
            default: false
            }
        }

        static func show(_ value: JSONValue) -> String {
            switch value {
            case .string(let s): "'\(s.count > 40 ? s.prefix(40) + "…" : Substring(s))'"
            case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
            case .bool(let b): String(b)
            case .null: "null"
            case .array: "an array"
            case .object: "an object"
            }
        }
    }
}
