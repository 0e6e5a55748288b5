import MusterCore
import Testing

/// The RFC 8785 writer: escaping, member order, buffers, and agreement with the canonical check.
@Suite struct CanonicalJSONWriterTests {
    static func text(_ value: JSONValue) throws -> String {
        String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
    }

    @Test(arguments: [
        ("plain", #""plain""#), ("quote\"back\\slash", #""quote\"back\\slash""#),
        ("\u{8}\u{9}\u{A}\u{C}\u{D}", #""\b\t\n\f\r""#), ("\u{0}\u{1}\u{1F}", #""\u0000\u0001\u001f""#),
        ("\u{7F}/é€😂", "\"\u{7F}/é€😂\""), ("A\u{30A}", "\"A\u{30A}\""), ("", #""""#),
    ])
    func stringsAreEscapedExactly(string: String, expected: String) throws {
        #expect(try Self.text(.string(string)) == expected)
        #expect(try CanonicalJSON.parseCanonical(Array(expected.utf8)) == .string(string))
    }

    @Test func membersSortByUTF16CodeUnits() throws {
        // U+FB33 (UTF-16 FB33) sorts after U+1F602 (UTF-16 D83D DE02), though code point order is the reverse.
        let keys = ["\u{FB33}", "\u{1F602}", "\u{E000}", "\u{10000}", "\u{7F}", "\u{80}", "b", "a", "aa", "A", ""]
        let value = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.null) }))
        let expectedOrder = keys.sorted { Array($0.utf16).lexicographicallyPrecedes(Array($1.utf16)) }
        #expect(expectedOrder.last == "\u{FB33}")
        let expected = "{" + expectedOrder.map { "\"\($0)\":null" }.joined(separator: ",") + "}"
        #expect(try Self.text(value) == expected)
        #expect(try CanonicalJSON.parseCanonical(Array(expected.utf8)) == value)
    }

    /// Objects of every size up to 60 members (small ones are sorted in place, larger as pairs),
    /// with keys sharing prefixes and straddling the UTF-16 surrogate order, come out in UTF-16
    /// order, and a bad member deep inside is named by its path.
    @Test func objectsOfEverySizeSortByUTF16CodeUnits() throws {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["a", "b", "aa", "A", "\u{7F}", "\u{80}", "\u{E000}", "\u{FB33}", "\u{10000}", "\u{1F602}", "z"]
        for size in 0...60 {
            var members: [String: JSONValue] = [:]
            while members.count < size {
                let key = (0..<Int.random(in: 0...3, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
                members[key] = .number(Double(members.count))
            }
            let order = members.keys.sorted { Array($0.utf16).lexicographicallyPrecedes(Array($1.utf16)) }
            let expected = "{" + order.map { "\"\($0)\":\(Int(members[$0]!.numberValue!))" }.joined(separator: ",") + "}"
            #expect(try Self.text(.object(members)) == expected, "\(size) members")
            guard let last = order.last else { continue }
            var bad = members
            bad[last] = .object(["x": .number(.nan)])
            let error = try #require(throws: CanonicalJSONError.self) { try CanonicalJSON.encode(.object(bad)) }
            #expect(error.code == .nonFiniteNumber)
            #expect("\(error)".hasSuffix(".x)"), "\(error)")
        }
    }

    @Test func membersOutOfUTF16OrderAreNotCanonical() throws {
        let bytes = Array("{\"\u{FB33}\":1,\"\u{1F602}\":2}".utf8)
        let error = try #require(throws: CanonicalJSONError.self) { try CanonicalJSON.parseCanonical(bytes) }
        #expect(error.code == .notCanonical)
        #expect(error.offset == 2)
    }

    @Test func encodeAppendsToAnExistingBuffer() throws {
        var buffer = Array("prefix:".utf8)
        try CanonicalJSON.encode(.array([.bool(true), .null, .number(-0.0)]), into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "prefix:[true,null,0]")
    }

    @Test func nestedValuesEncode() throws {
        let value: JSONValue = .object([
            "payload": .object(["amount": .object(["minor": .number(1250), "currency": .string("GBP")])]),
            "seq": .number(1), "tags": .array([.string("b"), .string("a")]), "ok": .bool(false),
        ])
        #expect(
            try Self.text(value)
                == #"{"ok":false,"payload":{"amount":{"currency":"GBP","minor":1250}},"seq":1,"tags":["b","a"]}"#)
    }

    @Test(arguments: [
        (#"{"b":1,"a":2}"#, 2), (#"{"a":1 }"#, 6), (#" {}"#, 0), (#"{}  "#, 2), (#"["\/"]"#, 2),
        (#"["\u0041"]"#, 2), (#"["\u001F"]"#, 7), (#"["\u000a"]"#, 3), (#"["\ud83d\ude02"]"#, 2), ("[1.50]", 4),
        (#"{"a":{"d":1,"c":2}}"#, 7),
    ])
    func nonCanonicalBytesReportTheFirstDifferingOffset(text: String, offset: Int) throws {
        let bytes = Array(text.utf8)
        let error = try #require(throws: CanonicalJSONError.self) { try CanonicalJSON.parseCanonical(bytes) }
        #expect(error.code == .notCanonical)
        #expect(error.offset == offset, "\(error)")
        #expect(error.description.contains("byte offset \(offset)"))
        #expect(try CanonicalJSON.parseCanonical(CanonicalJSON.canonicalize(bytes)) == CanonicalJSON.parse(bytes))
    }

    /// The inline canonical check agrees with "encode and compare" on many generated values and
    /// on single-byte perturbations of their encodings.
    @Test func canonicalCheckAgreesWithReencoding() throws {
        var generator = SplitMix64(seed: 0x4D55_5354_4552)
        for _ in 0..<2_000 {
            let value = Self.randomValue(depth: 0, using: &generator)
            let bytes = try CanonicalJSON.encode(value)
            #expect(try CanonicalJSON.parseCanonical(bytes) == value)
            var mutated = bytes
            let position = Int(generator.next() % UInt64(mutated.count + 1))
            mutated.insert(Self.perturbations[Int(generator.next() % UInt64(Self.perturbations.count))], at: position)
            let parsed = try? CanonicalJSON.parse(mutated)
            let canonical = try? CanonicalJSON.parseCanonical(mutated)
            if let parsed {
                let reencoded = try CanonicalJSON.encode(parsed)
                #expect((canonical != nil) == (reencoded == mutated), "\(String(decoding: mutated, as: UTF8.self))")
            } else {
                #expect(canonical == nil)
            }
        }
    }

    static let perturbations: [UInt8] = Array(" 0\n\t1.e,:-\"\\/".utf8)

    static func randomValue(depth: Int, using generator: inout SplitMix64) -> JSONValue {
        switch generator.next() % (depth > 3 ? 4 : 6) {
        case 0: return .null
        case 1: return .bool(generator.next() % 2 == 0)
        case 2:
            let numbers: [Double] = [0, -1, 1e21, 1e-7, 0.5, 123.456, 9_007_199_254_740_991, -2.5e-300, 1e300]
            return .number(numbers[Int(generator.next() % UInt64(numbers.count))])
        case 3: return .string(randomString(using: &generator))
        case 4:
            return .array((0..<generator.next() % 4).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<generator.next() % 5 {
                members[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
            }
            return .object(members)
        }
    }

    static func randomString(using generator: inout SplitMix64) -> String {
        let alphabet: [Unicode.Scalar] = ["a", "b", "A", "\u{0}", "\n", "\"", "\\", "/", "\u{7F}", "é", "\u{FB33}", "😂"]
        let count = Int(generator.next() % 4)
        return String(String.UnicodeScalarView((0..<count).map { _ in
            alphabet[Int(generator.next() % UInt64(alphabet.count))]
        }))
    }
}

/// A small deterministic generator, so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
