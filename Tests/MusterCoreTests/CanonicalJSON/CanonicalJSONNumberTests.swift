import Foundation
import MusterCore
import MusterTesting
import Testing

/// ECMAScript `Number::toString` formatting (RFC 8785 §3.2.2.3), driven by the ES6 test file.
@Suite struct CanonicalJSONNumberTests {
    struct Line {
        let number: Int
        let bits: UInt64
        let expected: String
    }

    static func lines() throws -> [Line] {
        let data = try Vectors.data("cyberphone-json-canonicalization/es6-numbers/es6testfile-first10000.txt")
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated().map { number, line in
            let fields = line.split(separator: ",")
            try #require(fields.count == 2, "line \(number + 1): \(line)")
            let bits = try #require(UInt64(fields[0], radix: 16), "line \(number + 1): \(line)")
            return Line(number: number + 1, bits: bits, expected: String(fields[1]))
        }
    }

    static func format(_ value: Double) throws -> String {
        String(decoding: try CanonicalJSON.encode(.number(value)), as: UTF8.self)
    }

    @Test func fileHasTenThousandLines() throws {
        #expect(try Self.lines().count == 10_000)
    }

    @Test func everyLineFormatsExactly() throws {
        var failures: [String] = []
        for line in try Self.lines() {
            let value = Double(bitPattern: line.bits)
            guard value.isFinite else { continue }
            let formatted = try Self.format(value)
            if formatted != line.expected {
                failures.append("line \(line.number) \(String(line.bits, radix: 16)): \(formatted) != \(line.expected)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) mismatches, first: \(failures.prefix(5))")
    }

    @Test func everyLineParsesBackToTheSameBits() throws {
        var failures: [String] = []
        var beyondExactRange = 0
        for line in try Self.lines() {
            let value = Double(bitPattern: line.bits)
            guard value.isFinite else { continue }
            let bytes = Array(line.expected.utf8)
            if !line.expected.contains(where: { $0 == "." || $0 == "e" }), value.magnitude > 9_007_199_254_740_991 {
                // An integer literal beyond ±(2^53 − 1): I-JSON's limit, which the strict reader enforces.
                beyondExactRange += 1
                let error = try #require(throws: CanonicalJSONError.self) { try CanonicalJSON.parse(bytes) }
                #expect(error.code == .numberOutOfRange)
                continue
            }
            let parsed = try CanonicalJSON.parseCanonical(bytes)
            // -0 is written "0", so it parses back as +0.
            let expectedBits = value == 0 ? 0 : line.bits
            if parsed.numberValue?.bitPattern != expectedBits {
                failures.append("line \(line.number): \(line.expected) parsed as \(String(describing: parsed))")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) mismatches, first: \(failures.prefix(5))")
        #expect(beyondExactRange < 100, "\(beyondExactRange) lines are integer literals beyond 2^53 − 1")
    }

    @Test(arguments: [
        (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.5, "-1.5"), (0.1, "0.1"), (1e21, "1e+21"),
        (1e20, "100000000000000000000"), (123456789012345680000.0, "123456789012345680000"),
        (1e-6, "0.000001"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (Double.leastNonzeroMagnitude, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"), (9007199254740991.0, "9007199254740991"),
        (9007199254740994.0, "9007199254740994"), (333333333.33333329, "333333333.3333333"),
        (4.5, "4.5"), (0.002, "0.002"), (1e-27, "1e-27"), (1e30, "1e+30"), (-1e-10, "-1e-10"),
    ])
    func knownValues(value: Double, expected: String) throws {
        #expect(try Self.format(value) == expected)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteNumbersCannotBeEncoded(value: Double) throws {
        let error = try #require(throws: CanonicalJSONError.self) {
            try CanonicalJSON.encode(.object(["payload": .object(["amount": .number(value)])]))
        }
        #expect(error.code == .nonFiniteNumber)
        #expect(error.path == "$.payload.amount")
    }

    @Test(arguments: ["1E3", "1e3", "1.0", "0.10", "-0", "-0.0", "1e-07", "100e0", "0.0000001", "1E+21"])
    func nonCanonicalNumberLiteralsFailParseCanonicalAtTheirStart(literal: String) throws {
        let bytes = Array("[7,\(literal)]".utf8)
        _ = try CanonicalJSON.parse(bytes)
        let error = try #require(throws: CanonicalJSONError.self) { try CanonicalJSON.parseCanonical(bytes) }
        #expect(error.code == .notCanonical)
        // The literal begins at offset 3; the first differing byte may be inside it.
        #expect((error.offset ?? 0) >= 3)
    }

    @Test(arguments: ["0.5", "1e-6" /* written 0.000001 */, "1.5", "1.25e+30", "-12345.678"])
    func fractionsParseToTheNearestDouble(literal: String) throws {
        let parsed = try CanonicalJSON.parse(Array(literal.utf8))
        #expect(parsed.numberValue == Double(literal))
    }
}
