import MusterCore
import Testing

/// Every rule by which the strict reader rejects input, each with its code, offset and path.
@Suite struct CanonicalJSONRejectionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        let bytes: [UInt8]
        let code: CanonicalJSONError.Code
        let offset: Int
        let path: String

        init(_ label: String, _ text: String, _ code: CanonicalJSONError.Code, at offset: Int, path: String = "$") {
            self.init(label, Array(text.utf8), code, at: offset, path: path)
        }

        init(_ label: String, _ bytes: [UInt8], _ code: CanonicalJSONError.Code, at offset: Int, path: String = "$") {
            self.label = label
            self.bytes = bytes
            self.code = code
            self.offset = offset
            self.path = path
        }

        var testDescription: String { label }
    }

    /// `{"s":"` + bytes + `"}`: the string content starts at offset 6.
    static func inString(_ label: String, _ bytes: [UInt8], _ code: CanonicalJSONError.Code, at offset: Int) -> Case {
        Case(label, Array(#"{"s":""#.utf8) + bytes + Array(#""}"#.utf8), code, at: 6 + offset, path: "$.s")
    }

    static let cases: [Case] = [
        Case("duplicate member", #"{"a":1,"a":2}"#, .duplicateMemberName, at: 7, path: "$.a"),
        Case("duplicate via escape", #"{"a":1,"\u0061":2}"#, .duplicateMemberName, at: 7, path: "$.a"),
        Case("nested duplicate", #"{"payload":{"x":{},"x":[]}}"#, .duplicateMemberName, at: 19, path: "$.payload.x"),
        Case("equivalent names", "{\"\u{C5}\":1,\"A\u{30A}\":2}", .equivalentMemberNames, at: 8, path: "$['\u{C5}']"),
        inString("continuation byte alone", [0x80], .invalidUTF8, at: 0),
        inString("overlong C0", [0xC0, 0xAF], .invalidUTF8, at: 0),
        inString("overlong E0", [0xE0, 0x80, 0xAF], .invalidUTF8, at: 0),
        inString("overlong F0", [0xF0, 0x80, 0x80, 0xAF], .invalidUTF8, at: 0),
        inString("encoded surrogate", [0x61, 0xED, 0xA0, 0x80], .invalidUTF8, at: 1),
        inString("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80], .invalidUTF8, at: 0),
        inString("F5 lead byte", [0xF5, 0x80, 0x80, 0x80], .invalidUTF8, at: 0),
        inString("truncated sequence", [0xE2, 0x82, 0x61], .invalidUTF8, at: 0),
        Case("truncated at end", [0x22, 0xE2, 0x82], .invalidUTF8, at: 1),
        inString("lone high surrogate", Array(#"\ud800"#.utf8), .loneSurrogate, at: 0),
        inString("high then letter", Array(#"\ud800x"#.utf8), .loneSurrogate, at: 0),
        inString("lone low surrogate", Array(#"ab\udc00"#.utf8), .loneSurrogate, at: 2),
        inString("two high surrogates", Array(#"\ud800\ud800"#.utf8), .loneSurrogate, at: 0),
        inString("invalid escape", Array(#"\x41"#.utf8), .invalidEscape, at: 0),
        inString("short unicode escape", Array(#"\u12G4"#.utf8), .invalidEscape, at: 0),
        inString("raw tab", [0x09], .controlCharacter, at: 0),
        inString("raw NUL", [0x61, 0x00], .controlCharacter, at: 1),
        Case("1e400", #"{"amount":1e400}"#, .numberOutOfRange, at: 10, path: "$.amount"),
        Case("-1e400", "[-1e400]", .numberOutOfRange, at: 1, path: "$[0]"),
        Case("2^53 + 1", #"{"n":9007199254740993}"#, .numberOutOfRange, at: 5, path: "$.n"),
        Case("2^53", "9007199254740992", .numberOutOfRange, at: 0),
        Case("-(2^53)", "[1,-9007199254740992]", .numberOutOfRange, at: 3, path: "$[1]"),
        Case("huge integer", "123456789012345678901234567890", .numberOutOfRange, at: 0),
        Case("leading zero", "[01]", .leadingZero, at: 1, path: "$[0]"),
        Case("negative leading zero", "-00.5", .leadingZero, at: 0),
        Case("bare point", "[1.]", .invalidNumber, at: 1, path: "$[0]"),
        Case("leading point", "[.5]", .unexpectedByte, at: 1, path: "$[0]"),
        Case("empty exponent", "[1e]", .invalidNumber, at: 1, path: "$[0]"),
        Case("plus sign", "[+1]", .unexpectedByte, at: 1, path: "$[0]"),
        Case("trailing comma in array", "[1,2,]", .trailingComma, at: 4),
        Case("trailing comma in object", #"{"a":1 , }"#, .trailingComma, at: 7),
        Case("trailing garbage", #"{"a":1}x"#, .trailingContent, at: 7),
        Case("two values", "1 2", .trailingContent, at: 2),
        Case("byte-order mark", [0xEF, 0xBB, 0xBF, 0x7B, 0x7D], .byteOrderMark, at: 0),
        Case("empty input", "", .unexpectedEnd, at: 0),
        Case("whitespace only", "  ", .unexpectedEnd, at: 2),
        Case("unterminated string", #"{"a":"bc"#, .unexpectedEnd, at: 5, path: "$.a"),
        Case("unterminated object", #"{"a":1"#, .unexpectedEnd, at: 6),
        Case("missing colon", #"{"a" 1}"#, .unexpectedByte, at: 5),
        Case("unquoted name", "{a:1}", .unexpectedByte, at: 1),
        Case("single quotes", "['a']", .unexpectedByte, at: 1, path: "$[0]"),
        Case("bad literal", "[tru]", .unexpectedByte, at: 1, path: "$[0]"),
        Case("NaN literal", "[NaN]", .unexpectedByte, at: 1, path: "$[0]"),
        Case("depth bomb", String(repeating: "[", count: 101) + String(repeating: "]", count: 101),
             .nestingTooDeep, at: 100, path: "$" + String(repeating: "[0]", count: 100)),
        Case("deep objects", String(repeating: #"{"a":"#, count: 200), .nestingTooDeep, at: 500,
             path: "$" + String(repeating: ".a", count: 100)),
    ]

    @Test(arguments: cases)
    func parseRejects(_ input: Case) throws {
        let error = try #require(throws: CanonicalJSONError.self) { try CanonicalJSON.parse(input.bytes) }
        #expect(error.code == input.code, "\(error)")
        #expect(error.offset == input.offset, "\(error)")
        #expect(error.path == input.path, "\(error)")
        #expect(error.description.contains("byte offset \(input.offset)"))
        // parseCanonical applies every strict rule first.
        #expect(throws: CanonicalJSONError.self) { try CanonicalJSON.parseCanonical(input.bytes) }
    }

    /// The string scanner reads eight bytes at a time; a special byte must be found at every position.
    @Test(arguments: 0..<20)
    func specialBytesAreFoundAtEveryPosition(position: Int) throws {
        let prefix = Array(repeating: UInt8(ascii: "a"), count: position)
        let suffix = Array(repeating: UInt8(ascii: "b"), count: 9)
        func parse(_ middle: [UInt8]) throws(CanonicalJSONError) -> JSONValue {
            try CanonicalJSON.parseCanonical([0x22] + prefix + middle + suffix + [0x22])
        }
        let a = String(repeating: "a", count: position)
        #expect(try parse([0x5C, 0x22]) == .string(a + "\"" + "bbbbbbbbb"))  // \" escape
        #expect(try parse([0xC3, 0xA9]) == .string(a + "é" + "bbbbbbbbb"))
        #expect(try parse([0x7F]) == .string(a + "\u{7F}" + "bbbbbbbbb"))
        for (middle, code) in [([UInt8(0x1F)], CanonicalJSONError.Code.controlCharacter), ([0xC3, 0x28], .invalidUTF8)] {
            let error = try #require(throws: CanonicalJSONError.self) { try parse(middle) }
            #expect(error.code == code)
            #expect(error.offset == 1 + position)
        }
        let short = try #require(throws: CanonicalJSONError.self) {
            try CanonicalJSON.parse([0x22] + prefix + [0x22, 0x22])
        }
        #expect(short.code == .trailingContent && short.offset == position + 2)
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let depth = CanonicalJSON.maximumDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let value = try CanonicalJSON.parseCanonical(Array(text.utf8))
        #expect(try CanonicalJSON.encode(value) == Array(text.utf8))
    }

    @Test func errorsCompareByCodeOnly() {
        let first = CanonicalJSONError(.invalidUTF8, "one", offset: 1)
        let second = CanonicalJSONError(.invalidUTF8, "two", offset: 2, path: "$.x")
        #expect(first == second)
        #expect(first != CanonicalJSONError(.leadingZero, "one", offset: 1))
        #expect(first.file.hasSuffix("CanonicalJSONRejectionTests.swift"))
    }

    @Test(arguments: [
        #"{"a":1}"#, "[]", "{}", "0", "-1.5", #""\u00e9\ud83d\ude00""#, " [ 1 , { } ] ", "-0", "1E2", "1e-400",
        "9007199254740991", "-9007199254740991", "9007199254740993.0", #"{"a":{"a":{"b":null}}}"#,
    ])
    func parseAccepts(text: String) throws {
        _ = try CanonicalJSON.parse(Array(text.utf8))
    }
}
