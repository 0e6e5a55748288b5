/// A Swift scalar that maps to one JSON scalar, boxed and unboxed without a nested coder.
protocol JSONPrimitive {
    /// The JSON type the value needs, as error messages name it.
    static var jsonTypeName: String { get }
    /// The JSON value for `self`; `path` (made only for an error) is where it is being encoded.
    func boxed(at path: @autoclosure () -> [any CodingKey]) throws(JSONValueCodingError) -> JSONValue
    /// The Swift value for `value`.
    static func unboxed(_ value: JSONValue, at path: [any CodingKey]) throws(JSONValueCodingError) -> Self
}

extension JSONPrimitive {
    static func mismatch(_ value: JSONValue, at path: [any CodingKey]) -> JSONValueCodingError {
        if case .null = value {
            return JSONValueCodingError(.valueNotFound, "expected \(jsonTypeName), found null", codingPath: path)
        }
        return JSONValueCodingError(
            .typeMismatch, "expected \(jsonTypeName), found \(value.typeName)", codingPath: path)
    }
}

extension Bool: JSONPrimitive {
    static var jsonTypeName: String { "boolean" }

    func boxed(at path: @autoclosure () -> [any CodingKey]) -> JSONValue { .bool(self) }

    static func unboxed(_ value: JSONValue, at path: [any CodingKey]) throws(JSONValueCodingError) -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(value, at: path) }
        return flag
    }
}

extension String: JSONPrimitive {
    static var jsonTypeName: String { "string" }

    func boxed(at path: @autoclosure () -> [any CodingKey]) -> JSONValue { .string(self) }

    static func unboxed(_ value: JSONValue, at path: [any CodingKey]) throws(JSONValueCodingError) -> String {
        guard case .string(let text) = value else { throw mismatch(value, at: path) }
        return text
    }
}

extension Double: JSONPrimitive {
    static var jsonTypeName: String { "number" }

    func boxed(at path: @autoclosure () -> [any CodingKey]) throws(JSONValueCodingError) -> JSONValue {
        guard isFinite else {
            throw JSONValueCodingError(.nonFiniteNumber, "\(self) has no JSON form", codingPath: path())
        }
        return .number(self)
    }

    static func unboxed(_ value: JSONValue, at path: [any CodingKey]) throws(JSONValueCodingError) -> Double {
        guard case .number(let number) = value else { throw mismatch(value, at: path) }
        return number
    }
}

extension Float: JSONPrimitive {
    static var jsonTypeName: String { "number" }

    func boxed(at path: @autoclosure () -> [any CodingKey]) throws(JSONValueCodingError) -> JSONValue {
        // Through the shortest decimal form, so 0.1 as a Float becomes 0.1 rather than 0.10000000149011612.
        try (Double(description) ?? Double(self)).boxed(at: path())
    }

    static func unboxed(_ value: JSONValue, at path: [any CodingKey]) throws(JSONValueCodingError) -> Float {
        Float(try Double.unboxed(value, at: path))
    }
}

/// Integers travel as JSON numbers within the I-JSON exact range ±(2⁵³ − 1).
protocol JSONInteger: JSONPrimitive, FixedWidthInteger {}

extension JSONInteger {
    static var jsonTypeName: String { "integer" }

    func boxed(at path: @autoclosure () -> [any CodingKey]) throws(JSONValueCodingError) -> JSONValue {
        guard magnitude <= 9_007_199_254_740_991 else {
            throw JSONValueCodingError(
                .integerOutOfRange, "\(self) is beyond ±(2^53 − 1), the I-JSON exact range", codingPath: path())
        }
        return .number(Double(self))
    }

    static func unboxed(_ value: JSONValue, at path: [any CodingKey]) throws(JSONValueCodingError) -> Self {
        guard let integer = value.integerValue else {
            if case .number(let number) = value, number == number.rounded(.towardZero) {
                throw JSONValueCodingError(
                    .integerOutOfRange, "\(number) is beyond ±(2^53 − 1), the I-JSON exact range", codingPath: path)
            }
            throw mismatch(value, at: path)
        }
        guard let exact = Self(exactly: integer) else {
            throw JSONValueCodingError(.integerOutOfRange, "\(integer) does not fit in \(Self.self)", codingPath: path)
        }
        return exact
    }
}

extension Int: JSONInteger {}
extension Int8: JSONInteger {}
extension Int16: JSONInteger {}
extension Int32: JSONInteger {}
extension Int64: JSONInteger {}
extension UInt: JSONInteger {}
extension UInt8: JSONInteger {}
extension UInt16: JSONInteger {}
extension UInt32: JSONInteger {}
extension UInt64: JSONInteger {}
