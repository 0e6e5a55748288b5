/// Decodes `Decodable` values from ``JSONValue`` trees, without Foundation's `JSONDecoder`.
///
/// Errors are ``JSONValueCodingError``s that name the coding path, e.g.
/// `payload.amount.minor: expected integer, found string`. Integers must be integral numbers
/// within ±(2⁵³ − 1) that fit the Swift type; a missing member and `null` both decode as `nil`
/// for optionals.
public struct JSONValueDecoder: Sendable {
    /// Contextual information handed to every `init(from:)` call.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// Creates a decoder.
    public init() {}

    /// Decodes a value of `type` from `value`.
    /// - Throws: ``JSONValueCodingError`` naming the coding path, or whatever `type` throws.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONValueDecoding(value: value, codingPath: [], userInfo: userInfo).decodeValue(type)
    }
}

/// The `Decoder` handed to `init(from:)`.
struct JSONValueDecoding: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let sendableUserInfo: [CodingUserInfoKey: any Sendable]

    init(value: JSONValue, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: any Sendable]) {
        self.value = value
        self.codingPath = codingPath
        self.sendableUserInfo = userInfo
    }

    var userInfo: [CodingUserInfoKey: Any] { sendableUserInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch(expected: "object") }
        return KeyedDecodingContainer(JSONKeyedDecodingContainer<Key>(decoder: self, members: members))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch(expected: "array") }
        return JSONUnkeyedDecodingContainer(decoder: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        JSONSingleValueDecodingContainer(decoder: self)
    }

    /// A decoder for a value one step down the coding path.
    func child(_ value: JSONValue, _ key: any CodingKey) -> JSONValueDecoding {
        JSONValueDecoding(value: value, codingPath: codingPath + [key], userInfo: sendableUserInfo)
    }

    /// Decodes this decoder's value as `type`, unboxing scalars directly.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if let primitive = type as? any JSONPrimitive.Type {
            // The cast cannot fail: `primitive` is `T.self`.
            guard let decoded = try primitive.unboxed(value, at: codingPath) as? T else {
                throw mismatch(expected: primitive.jsonTypeName)
            }
            return decoded
        }
        return try T(from: self)
    }

    func mismatch(expected: String) -> JSONValueCodingError {
        if case .null = value {
            return JSONValueCodingError(.valueNotFound, "expected \(expected), found null", codingPath: codingPath)
        }
        return JSONValueCodingError(
            .typeMismatch, "expected \(expected), found \(value.typeName)", codingPath: codingPath)
    }
}

/// Reads one value.
struct JSONSingleValueDecodingContainer: SingleValueDecodingContainer {
    let decoder: JSONValueDecoding

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool {
        if case .null = decoder.value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try decoder.decodeValue(type) }
    func decode(_ type: String.Type) throws -> String { try decoder.decodeValue(type) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.decodeValue(type) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.decodeValue(type) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.decodeValue(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.decodeValue(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.decodeValue(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.decodeValue(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.decodeValue(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.decodeValue(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.decodeValue(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.decodeValue(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.decodeValue(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.decodeValue(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
}
