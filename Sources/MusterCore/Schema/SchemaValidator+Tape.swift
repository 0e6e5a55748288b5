import Foundation

extension SchemaValidator {
    /// Whether the value read into `tape` is certainly valid. A `false` means "not certain": the
    /// value may be invalid, or use something this check leaves to ``violations(of:limit:)`` (an
    /// escaped string where a pattern, `enum` or `const` applies, a non-string `enum`, a regex
    /// without a native matcher). Callers take the tree path then, for the verdict and its message.
    public func accepts(_ tape: JSONTape, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        program.accepts(tape, bytes)
    }

    /// Whether `bytes` are certainly canonical JSON of a valid value (`false`: not certain, as above).
    public func accepts(canonical bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { u in JSONTape(u).map { program.accepts($0, u) } ?? false }
    }
}

/// A compiled schema flattened into plain arrays of plain values, so the tape check walks it
/// through buffer pointers without reference counting: nodes refer to each other, to member
/// names, to `const` and `enum` bytes by index.
struct TapeProgram: Sendable {
    struct Span: Sendable { var start: Int32, count: Int32 }

    struct Member: Sendable {
        var name: Span
        var node: Int32
    }

    struct Node: Sendable {
        /// Bit `kind.rawValue` set for each token kind the node's `type` admits.
        var kinds: UInt8 = 0
        var closed = false
        /// The node uses something the tape check cannot decide: it declines.
        var declines = false
        var constant: Constant = .none
        var constantBytes = Span(start: 0, count: 0)
        var constantInteger: Int64 = 0
        /// Sorted `enum` strings, as spans of `pool`, in `choices`; count -1 without `enum`.
        var choices = Span(start: 0, count: -1)
        var minLength = Int64.min, maxLength = Int64.max, minItems = Int64.min, maxItems = Int64.max
        var minimum = -Double.infinity, maximum = Double.infinity
        var patterns = Span(start: 0, count: 0)
        var items: Int32 = -1
        var members = Span(start: 0, count: 0)
        var required: UInt64 = 0
    }

    enum Constant: UInt8, Sendable { case none, string, integer }

    /// The flattened tables, shared by every copy of the program: a copy retains one object, not
    /// five arrays (the catalogue's validators are read for every entry checked).
    private final class Tables: Sendable {
        let nodes: [Node]
        let pool: [UInt8]
        let spans: [Span]
        let members: [Member]
        let patterns: [PatternLibrary.Known]

        init(_ b: Builder) {
            nodes = b.nodes
            pool = b.pool
            spans = b.spans
            members = b.members
            patterns = b.patterns
        }
    }

    private let tables: Tables

    init(_ root: SchemaValidator.Node) {
        var builder = Builder()
        _ = builder.add(root)
        tables = Tables(builder)
    }

    /// Flattens a compiled schema into the tables.
    private struct Builder {
        var nodes: [Node] = []
        var pool: [UInt8] = []
        var spans: [Span] = []
        var members: [Member] = []
        var patterns: [PatternLibrary.Known] = []

        /// Appends `node` and everything under it; returns its index.
        mutating func add(_ node: SchemaValidator.Node) -> Int32 {
            let at = nodes.count
            nodes.append(Node())
            var flat = Node()
            for type in node.types ?? ["null", "boolean", "number", "string", "array", "object"] {
                switch type {
                case "null": flat.kinds |= 1 << JSONTape.Kind.null.rawValue
                case "boolean": flat.kinds |= 1 << JSONTape.Kind.true.rawValue | 1 << JSONTape.Kind.false.rawValue
                case "number", "integer": flat.kinds |= 1 << JSONTape.Kind.integer.rawValue
                case "string": flat.kinds |= 1 << JSONTape.Kind.string.rawValue
                case "array": flat.kinds |= 1 << JSONTape.Kind.array.rawValue
                case "object": flat.kinds |= 1 << JSONTape.Kind.object.rawValue
                default: break
                }
            }
            flat.closed = node.closed
            switch node.constValue {
            case nil: break
            case .string(let s)? where Self.isPlain(s):
                flat.constant = .string
                flat.constantBytes = intern(s)
            case .number(let n)? where JSONValue.number(n).integerValue != nil:
                flat.constant = .integer
                flat.constantInteger = Int64(n)
            default: flat.declines = true
            }
            if let values = node.enumValues {
                let strings = values.compactMap { v -> String? in
                    if case .string(let s) = v, Self.isPlain(s) { return s }
                    return nil
                }
                if strings.count != values.count { flat.declines = true }
                let start = spans.count
                for s in strings.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) { spans.append(intern(s)) }
                flat.choices = Span(start: Int32(start), count: Int32(strings.count))
            }
            if let v = node.minLength { flat.minLength = Int64(v) }
            if let v = node.maxLength { flat.maxLength = Int64(v) }
            if let v = node.minItems { flat.minItems = Int64(v) }
            if let v = node.maxItems { flat.maxItems = Int64(v) }
            if let v = node.minimum { flat.minimum = v }
            if let v = node.maximum { flat.maximum = v }
            let patternStart = patterns.count
            for p in node.patterns {
                if let known = p.known { patterns.append(known) } else { flat.declines = true }
            }
            flat.patterns = Span(start: Int32(patternStart), count: Int32(patterns.count - patternStart))
            if let items = node.items { flat.items = add(items) }
            // Member names in ascending byte order, as canonical members arrive.
            let properties = node.orderedProperties.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            if properties.count > 64 || properties.contains(where: { !Self.isPlain($0.name) }) { flat.declines = true }
            var children: [Member] = []
            for (i, property) in properties.enumerated() {
                children.append(Member(name: intern(property.name), node: add(property.node)))
                if i < 64, node.required.contains(property.name) { flat.required |= 1 << UInt64(i) }
            }
            if node.required.contains(where: { name in !properties.contains { $0.name == name } }) { flat.declines = true }
            flat.members = Span(start: Int32(members.count), count: Int32(children.count))
            members += children
            nodes[at] = flat
            return Int32(at)
        }

        /// Printable ASCII without `"` or `\`: a string whose canonical bytes are its own bytes.
        static func isPlain(_ s: String) -> Bool {
            s.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }
        }

        mutating func intern(_ s: String) -> Span {
            let span = Span(start: Int32(pool.count), count: Int32(s.utf8.count))
            pool += Array(s.utf8)
            return span
        }
    }

    /// The tables and the input, as buffer pointers for one check.
    private struct Run {
        let nodes: UnsafeBufferPointer<Node>
        let pool: UnsafeBufferPointer<UInt8>
        let spans: UnsafeBufferPointer<Span>
        let members: UnsafeBufferPointer<Member>
        let patterns: UnsafeBufferPointer<PatternLibrary.Known>
        let tokens: UnsafeBufferPointer<JSONTape.Token>
        let bytes: UnsafeBufferPointer<UInt8>

        /// The byte order of a pool span against a token's bytes (negative when the span sorts first).
        func compare(_ span: Span, _ t: JSONTape.Token) -> Int {
            let count = Int(t.end &- t.start)
            let n = min(Int(span.count), count)
            let order = n == 0 ? 0 : JSONTape.shortCompare(pool.baseAddress! + Int(span.start), bytes.baseAddress! + Int(t.start), n)
            return order != 0 ? Int(order) : Int(span.count) - count
        }

        func accepts(_ n: Int, _ i: Int) -> Bool {
            let node = nodes[n]
            let t = tokens[i]
            guard !node.declines, node.kinds & (1 << t.kind.rawValue) != 0 else { return false }
            switch node.constant {
            case .none: break
            case .string: guard t.kind == .string, !t.escaped, compare(node.constantBytes, t) == 0 else { return false }
            case .integer: guard t.kind == .integer, JSONTape.integer(t, bytes) == node.constantInteger else { return false }
            }
            if node.choices.count >= 0 {
                guard t.kind == .string, !t.escaped, choose(node.choices, t) else { return false }
            }
            switch t.kind {
            case .string:
                let length = JSONTape.scalarCount(t, bytes)
                guard length >= node.minLength, length <= node.maxLength else { return false }
                if node.patterns.count > 0 {
                    guard !t.escaped else { return false }
                    let raw = UnsafeBufferPointer(rebasing: bytes[Int(t.start)..<Int(t.end)])
                    for p in Int(node.patterns.start)..<Int(node.patterns.start + node.patterns.count)
                    where !patterns[p].matches(raw) { return false }
                }
            case .integer:
                let value = Double(JSONTape.integer(t, bytes))
                guard value >= node.minimum, value <= node.maximum else { return false }
            case .array:
                let count = Int64(JSONTape.count(tokens, i))
                guard count >= node.minItems, count <= node.maxItems else { return false }
                if node.items >= 0 {
                    var j = i + 1
                    while j < Int(t.next) {
                        guard accepts(Int(node.items), j) else { return false }
                        j = Int(tokens[j].next)
                    }
                }
            case .object:
                // Members arrive in ascending byte order (the tape checked it), as do the names.
                var seen: UInt64 = 0
                var p = Int(node.members.start)
                let end = p + Int(node.members.count)
                var j = i + 1
                while j < Int(t.next) {
                    let key = tokens[j]
                    var order = 1
                    while p < end {
                        order = compare(members[p].name, key)
                        if order >= 0 { break }
                        p += 1
                    }
                    if p < end, order == 0 {
                        guard accepts(Int(members[p].node), j + 1) else { return false }
                        seen |= 1 << UInt64(p - Int(node.members.start))
                    } else if node.closed {
                        return false
                    }
                    j = Int(tokens[j + 1].next)
                }
                guard node.required & ~seen == 0 else { return false }
            default:
                break
            }
            return true
        }

        private func choose(_ choices: Span, _ t: JSONTape.Token) -> Bool {
            var low = Int(choices.start), high = Int(choices.start + choices.count)
            while low < high {
                let mid = (low + high) / 2
                let order = compare(spans[mid], t)
                if order == 0 { return true }
                if order < 0 { low = mid + 1 } else { high = mid }
            }
            return false
        }
    }

    func accepts(_ tape: JSONTape, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        tables.nodes.withUnsafeBufferPointer { nodes in
            tables.pool.withUnsafeBufferPointer { pool in
                tables.spans.withUnsafeBufferPointer { spans in
                    tables.members.withUnsafeBufferPointer { members in
                        tables.patterns.withUnsafeBufferPointer { patterns in
                            tape.tokens.withUnsafeBufferPointer { tokens in
                                !tokens.isEmpty && !bytes.isEmpty
                                    && Run(nodes: nodes, pool: pool, spans: spans, members: members, patterns: patterns,
                                           tokens: tokens, bytes: bytes).accepts(0, 0)
                            }
                        }
                    }
                }
            }
        }
    }
}
