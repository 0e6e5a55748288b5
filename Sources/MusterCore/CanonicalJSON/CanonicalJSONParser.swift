/// The strict RFC 8259 / I-JSON reader behind ``CanonicalJSON/parse(_:)-(UnsafeRawBufferPointer)``.
///
/// A hand-written byte parser over a buffer pointer. With `checkCanonical` it also notes the first
/// place where the bytes stop being RFC 8785 canonical (whitespace, member order, escapes, number
/// form); bytes that pass every check are, by construction, exactly the canonical encoding.
struct CanonicalJSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let maximumDepth: Int
    var index = 0
    var depth = 0
    /// Whether canonical-form checks are still running (off after the first deviation).
    var checking: Bool
    /// The offset at which the bytes were first seen to deviate from canonical form.
    var firstDeviation: Int?
    /// Reused for strings that contain escapes.
    var scratch: [UInt8] = []
    /// Members of the objects being parsed, innermost last; lets each dictionary be sized once.
    var memberStack: [PendingMember] = []
    /// Whether the last string parsed contained an escape (so its bytes differ from its value's).
    var lastStringEscaped = false

    init(bytes: UnsafeBufferPointer<UInt8>, checkCanonical: Bool, maximumDepth: Int) {
        self.bytes = bytes
        self.checking = checkCanonical
        self.maximumDepth = maximumDepth
    }

    /// Parses one JSON text: optional whitespace, one value, optional whitespace, end.
    mutating func parseDocument() throws(CanonicalJSONError) -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw CanonicalJSONError(.byteOrderMark, "JSON text starts with a UTF-8 byte-order mark", offset: 0)
        }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else {
            throw CanonicalJSONError(
                .trailingContent, "unexpected \(Self.describe(bytes[index])) after the JSON value", offset: index)
        }
        return value
    }

    /// Notes a deviation from canonical form at `offset` (only the first one counts).
    @inline(__always)
    mutating func deviate(at offset: Int) {
        if checking {
            checking = false
            firstDeviation = offset
        }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09:
                deviate(at: index)
                index += 1
            default:
                return
            }
        }
    }

    mutating func parseValue() throws(CanonicalJSONError) -> JSONValue {
        guard index < bytes.count else {
            throw CanonicalJSONError(.unexpectedEnd, "input ended where a value was expected", offset: index)
        }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case let byte:
            throw CanonicalJSONError(
                .unexpectedByte, "expected a value, found \(Self.describe(byte))", offset: index)
        }
    }

    private mutating func enter() throws(CanonicalJSONError) {
        depth += 1
        guard depth <= maximumDepth else {
            throw CanonicalJSONError(
                .nestingTooDeep, "arrays and objects nest deeper than \(maximumDepth) levels", offset: index)
        }
        index += 1
        skipWhitespace()
    }

    private mutating func parseObject() throws(CanonicalJSONError) -> JSONValue {
        try enter()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object([:])
        }
        let base = memberStack.count
        var previous: KeyBytes?
        while true {
            guard index < bytes.count else {
                throw CanonicalJSONError(.unexpectedEnd, "input ended where a member name was expected", offset: index)
            }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw CanonicalJSONError(
                    .unexpectedByte, "expected a member name, found \(Self.describe(bytes[index]))", offset: index)
            }
            let keyOffset = index
            let key = try parseString()
            if checking {
                let current = KeyBytes(bytes: (keyOffset + 1)..<(index - 1), escapedKey: lastStringEscaped ? key : nil)
                if let previous, !keyPrecedes(previous, current) { deviate(at: keyOffset) }
                previous = current
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after a member name")
            skipWhitespace()
            let value: JSONValue
            do { value = try parseValue() } catch { throw error.inside(.key(key)) }
            memberStack.append(PendingMember(key: key, value: value, offset: keyOffset))
            skipWhitespace()
            if try separator(closing: UInt8(ascii: "}")) { break }
        }
        depth -= 1
        var members = [String: JSONValue](minimumCapacity: memberStack.count - base)
        for position in base..<memberStack.count {
            var member = PendingMember.placeholder
            swap(&member, &memberStack[position])  // moves out without retain/release traffic
            if members.updateValue(member.value, forKey: member.key) != nil {
                throw duplicate(member.key, in: members, at: member.offset)
            }
        }
        memberStack.removeSubrange(base...)
        return .object(members)
    }

    private mutating func parseArray() throws(CanonicalJSONError) -> JSONValue {
        try enter()
        var elements: [JSONValue] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            do { elements.append(try parseValue()) } catch { throw error.inside(.index(elements.count)) }
            skipWhitespace()
            if try separator(closing: UInt8(ascii: "]")) { break }
        }
        depth -= 1
        return .array(elements)
    }

    /// Consumes `,` (returning false) or the closing bracket (returning true).
    private mutating func separator(closing: UInt8) throws(CanonicalJSONError) -> Bool {
        guard index < bytes.count else {
            throw CanonicalJSONError(
                .unexpectedEnd, "input ended where ',' or '\(Character(Unicode.Scalar(closing)))' was expected",
                offset: index)
        }
        let byte = bytes[index]
        if byte == closing {
            index += 1
            return true
        }
        guard byte == UInt8(ascii: ",") else {
            throw CanonicalJSONError(
                .unexpectedByte,
                "expected ',' or '\(Character(Unicode.Scalar(closing)))', found \(Self.describe(byte))", offset: index)
        }
        let commaOffset = index
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") || bytes[index] == UInt8(ascii: "}") {
            throw CanonicalJSONError(.trailingComma, "comma before '\(Character(Unicode.Scalar(bytes[index])))'",
                                     offset: commaOffset)
        }
        return false
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(CanonicalJSONError) {
        guard index < bytes.count else {
            throw CanonicalJSONError(.unexpectedEnd, "input ended where \(what) was expected", offset: index)
        }
        guard bytes[index] == byte else {
            throw CanonicalJSONError(
                .unexpectedByte, "expected \(what), found \(Self.describe(bytes[index]))", offset: index)
        }
        index += 1
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(CanonicalJSONError) {
        let start = index
        let text = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for expected in text {
            guard index < bytes.count else {
                throw CanonicalJSONError(.unexpectedEnd, "input ended inside literal '\(literal)'", offset: start)
            }
            guard bytes[index] == expected else {
                throw CanonicalJSONError(.unexpectedByte, "invalid literal (expected '\(literal)')", offset: start)
            }
            index += 1
        }
    }

    /// A byte as a person reads it: `'x'` for printable ASCII, `0xNN` otherwise.
    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
