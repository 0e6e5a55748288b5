/// Encodes `Encodable` values into ``JSONValue`` trees, without Foundation's `JSONEncoder`.
///
/// Integers become numbers and must lie within ±(2⁵³ − 1); doubles must be finite; `nil`
/// optionals in keyed containers are omitted (synthesized `Codable` calls `encodeIfPresent`).
/// Dates, `Data` and URLs get no special treatment: they encode as their own `Codable` forms.
public struct JSONValueEncoder: Sendable {
    /// Contextual information handed to every `encode(to:)` call.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// Creates an encoder.
    public init() {}

    /// The JSON value of `value`.
    /// - Throws: ``JSONValueCodingError`` naming the coding path, or whatever `value` throws.
    public func encode(_ value: some Encodable) throws -> JSONValue {
        if let primitive = value as? any JSONPrimitive {
            return try primitive.boxed(at: [])
        }
        let root = JSONEncodingNode()
        try value.encode(to: JSONValueEncoding(node: root, codingPath: [], userInfo: userInfo))
        return root.resolved()
    }
}

/// A mutable place in the tree under construction; containers write into it by reference.
final class JSONEncodingNode {
    /// A member or element: a finished scalar in place, or a node that nested containers (or
    /// a nested value's own `encode(to:)`) write into. Scalars get no node of their own.
    enum Slot {
        case value(JSONValue)
        case node(JSONEncodingNode)

        var resolved: JSONValue {
            switch self {
            case .value(let value): return value
            case .node(let node): return node.resolved()
            }
        }
    }

    /// An object's members: finished values, and the nodes of nested containers still open
    /// to writes (`nestedContainer`, `superEncoder`), kept apart so that an object of values
    /// (nearly every one) is already its finished dictionary.
    struct Members {
        var values: [String: JSONValue]
        var nodes: [String: JSONEncodingNode] = [:]
    }

    enum Content {
        case empty
        case value(JSONValue)
        case object(Members)
        case array([Slot])
    }

    var content: Content

    init(_ content: Content = .empty) { self.content = content }

    /// The finished value; a node nothing was written to is an empty object, as in Foundation.
    func resolved() -> JSONValue {
        switch content {
        case .empty: return .object([:])
        case .value(let value): return value
        case .object(let members):
            guard !members.nodes.isEmpty else { return .object(members.values) }
            var values = members.values
            for (key, node) in members.nodes { values[key] = node.resolved() }
            return .object(values)
        case .array(let elements): return .array(elements.map(\.resolved))
        }
    }

    /// Makes this node an object (keeping members already written); false if it holds something else.
    func becomeObject() -> Bool {
        switch content {
        case .empty: content = .object(Members(values: Dictionary(minimumCapacity: 8))); return true
        case .object: return true
        default: return false
        }
    }

    /// Makes this node an array (keeping elements already written); false if it holds something else.
    func becomeArray() -> Bool {
        switch content {
        case .empty: content = .array([]); return true
        case .array: return true
        default: return false
        }
    }

    func setMember(_ key: String, _ slot: Slot) {
        guard case .object(var members) = content else { return }
        content = .empty  // drop the reference so the dictionary is mutated in place
        switch slot {
        case .value(let value):
            members.values[key] = value
            if !members.nodes.isEmpty { members.nodes[key] = nil }
        case .node(let node):
            members.nodes[key] = node
            members.values[key] = nil
        }
        content = .object(members)
    }

    func appendElement(_ slot: Slot) {
        guard case .array(var elements) = content else { return }
        content = .empty
        elements.append(slot)
        content = .array(elements)
    }

    var elementCount: Int {
        if case .array(let elements) = content { return elements.count }
        return 0
    }

    /// Encodes `value`: a scalar in place, anything else into a fresh node, finished once its
    /// `encode(to:)` returns (nothing writes to it after that).
    static func encoding(
        _ value: some Encodable, at path: @autoclosure () -> [any CodingKey], userInfo: [CodingUserInfoKey: any Sendable]
    ) throws -> Slot {
        if let primitive = value as? any JSONPrimitive {
            return .value(try primitive.boxed(at: path()))
        }
        let node = JSONEncodingNode()
        try value.encode(to: JSONValueEncoding(node: node, codingPath: path(), userInfo: userInfo))
        return .value(node.resolved())
    }
}

/// The `Encoder` handed to `encode(to:)`.
struct JSONValueEncoding: Encoder {
    let node: JSONEncodingNode
    let codingPath: [any CodingKey]
    let sendableUserInfo: [CodingUserInfoKey: any Sendable]

    init(node: JSONEncodingNode, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: any Sendable]) {
        self.node = node
        self.codingPath = codingPath
        self.sendableUserInfo = userInfo
    }

    var userInfo: [CodingUserInfoKey: Any] { sendableUserInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(JSONKeyedEncodingContainer<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        JSONUnkeyedEncodingContainer(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONSingleValueEncodingContainer(encoder: self)
    }
}
