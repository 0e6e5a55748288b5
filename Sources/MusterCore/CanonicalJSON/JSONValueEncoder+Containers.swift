/// Writes an object's members into its encoding node.
struct JSONKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: JSONValueEncoding
    /// False when the node already held a scalar or an array; every write then throws.
    let valid: Bool

    init(encoder: JSONValueEncoding) {
        self.encoder = encoder
        self.valid = encoder.node.becomeObject()
    }

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func put(_ key: Key, _ slot: JSONEncodingNode.Slot) throws {
        guard valid else {
            throw JSONValueCodingError(
                .invalidEncoding, "a keyed container was used where another value was already encoded",
                codingPath: codingPath)
        }
        encoder.node.setMember(key.stringValue, slot)
    }

    private func put(_ value: some JSONPrimitive, _ key: Key) throws {
        try put(key, .value(try value.boxed(at: codingPath + [key])))
    }

    private func child(_ key: Key) -> JSONValueEncoding {
        let node = JSONEncodingNode()
        encoder.node.setMember(key.stringValue, .node(node))
        return JSONValueEncoding(node: node, codingPath: codingPath + [key], userInfo: encoder.sendableUserInfo)
    }

    mutating func encodeNil(forKey key: Key) throws { try put(key, .value(.null)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try put(value, key) }

    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        try put(key, JSONEncodingNode.encoding(value, at: codingPath + [key], userInfo: encoder.sendableUserInfo))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        child(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        child(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let node = JSONEncodingNode()
        encoder.node.setMember("super", .node(node))
        return JSONValueEncoding(node: node, codingPath: codingPath + [JSONSuperKey()], userInfo: encoder.sendableUserInfo)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { child(key) }
}

/// Appends an array's elements to its encoding node.
struct JSONUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let encoder: JSONValueEncoding
    /// False when the node already held a scalar or an object; every write then throws.
    let valid: Bool

    init(encoder: JSONValueEncoding) {
        self.encoder = encoder
        self.valid = encoder.node.becomeArray()
    }

    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { encoder.node.elementCount }
    private var nextPath: [any CodingKey] { codingPath + [JSONIndexKey(index: count)] }

    private func append(_ slot: JSONEncodingNode.Slot) throws {
        guard valid else {
            throw JSONValueCodingError(
                .invalidEncoding, "an unkeyed container was used where another value was already encoded",
                codingPath: codingPath)
        }
        encoder.node.appendElement(slot)
    }

    private func append(_ value: some JSONPrimitive) throws {
        try append(.value(try value.boxed(at: nextPath)))
    }

    private func child() -> JSONValueEncoding {
        let path = nextPath
        let node = JSONEncodingNode()
        encoder.node.appendElement(.node(node))
        return JSONValueEncoding(node: node, codingPath: path, userInfo: encoder.sendableUserInfo)
    }

    mutating func encodeNil() throws { try append(.value(.null)) }
    mutating func encode(_ value: Bool) throws { try append(value) }
    mutating func encode(_ value: String) throws { try append(value) }
    mutating func encode(_ value: Double) throws { try append(value) }
    mutating func encode(_ value: Float) throws { try append(value) }
    mutating func encode(_ value: Int) throws { try append(value) }
    mutating func encode(_ value: Int8) throws { try append(value) }
    mutating func encode(_ value: Int16) throws { try append(value) }
    mutating func encode(_ value: Int32) throws { try append(value) }
    mutating func encode(_ value: Int64) throws { try append(value) }
    mutating func encode(_ value: UInt) throws { try append(value) }
    mutating func encode(_ value: UInt8) throws { try append(value) }
    mutating func encode(_ value: UInt16) throws { try append(value) }
    mutating func encode(_ value: UInt32) throws { try append(value) }
    mutating func encode(_ value: UInt64) throws { try append(value) }

    mutating func encode(_ value: some Encodable) throws {
        try append(JSONEncodingNode.encoding(value, at: nextPath, userInfo: encoder.sendableUserInfo))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        child().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { child().unkeyedContainer() }

    mutating func superEncoder() -> any Encoder { child() }
}

/// Writes one value into its encoding node.
struct JSONSingleValueEncodingContainer: SingleValueEncodingContainer {
    let encoder: JSONValueEncoding

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func set(_ value: some JSONPrimitive) throws {
        encoder.node.content = .value(try value.boxed(at: codingPath))
    }

    mutating func encodeNil() throws { encoder.node.content = .value(.null) }
    mutating func encode(_ value: Bool) throws { try set(value) }
    mutating func encode(_ value: String) throws { try set(value) }
    mutating func encode(_ value: Double) throws { try set(value) }
    mutating func encode(_ value: Float) throws { try set(value) }
    mutating func encode(_ value: Int) throws { try set(value) }
    mutating func encode(_ value: Int8) throws { try set(value) }
    mutating func encode(_ value: Int16) throws { try set(value) }
    mutating func encode(_ value: Int32) throws { try set(value) }
    mutating func encode(_ value: Int64) throws { try set(value) }
    mutating func encode(_ value: UInt) throws { try set(value) }
    mutating func encode(_ value: UInt8) throws { try set(value) }
    mutating func encode(_ value: UInt16) throws { try set(value) }
    mutating func encode(_ value: UInt32) throws { try set(value) }
    mutating func encode(_ value: UInt64) throws { try set(value) }

    mutating func encode(_ value: some Encodable) throws {
        if let primitive = value as? any JSONPrimitive {
            encoder.node.content = .value(try primitive.boxed(at: codingPath))
        } else {
            try value.encode(to: encoder)
        }
    }
}
