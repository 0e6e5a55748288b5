import Foundation
import MusterCore
import MusterTesting
import Testing

/// The cyberphone/json-canonicalization reference vectors (RFC 8785's own test data).
@Suite struct CanonicalJSONVectorTests {
    static let names = ["arrays", "french", "structures", "unicode", "values", "weird"]
    static let folder = "cyberphone-json-canonicalization"

    static func input(_ name: String) throws -> [UInt8] {
        [UInt8](try Vectors.data("\(folder)/input/\(name).json"))
    }

    static func output(_ name: String) throws -> [UInt8] {
        [UInt8](try Vectors.data("\(folder)/output/\(name).json"))
    }

    /// The bytes of an `outhex/` file: space- and newline-separated hex pairs.
    static func outhex(_ name: String) throws -> [UInt8] {
        let text = String(decoding: try Vectors.data("\(folder)/outhex/\(name).txt"), as: UTF8.self)
        return try text.split(whereSeparator: { $0.isWhitespace }).map { pair in
            try #require(UInt8(pair, radix: 16), "bad hex pair \(pair)")
        }
    }

    @Test func everyInputFileIsCovered() throws {
        let listed = try FileManager.default.contentsOfDirectory(
            atPath: Vectors.directory.appendingPathComponent("\(Self.folder)/input").path)
        #expect(Set(listed) == Set(Self.names.map { "\($0).json" }))
    }

    @Test(arguments: names)
    func inputCanonicalisesToOutput(name: String) throws {
        let canonical = try CanonicalJSON.canonicalize(Self.input(name))
        let expected = try Self.output(name)
        #expect(canonical == expected, "\(String(decoding: canonical, as: UTF8.self))")
    }

    @Test(arguments: names)
    func outhexAgreesWithOutput(name: String) throws {
        #expect(try Self.outhex(name) == Self.output(name))
    }

    @Test(arguments: names)
    func outputPassesParseCanonical(name: String) throws {
        let output = try Self.output(name)
        let value = try CanonicalJSON.parseCanonical(output)
        #expect(try value == CanonicalJSON.parse(Self.input(name)))
        #expect(try CanonicalJSON.encode(value) == output)
    }

    @Test(arguments: names)
    func nonCanonicalInputFailsParseCanonicalAtFirstDifference(name: String) throws {
        let input = try Self.input(name)
        let output = try Self.output(name)
        try #require(input != output)
        let firstDifference = zip(input, output).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(input.count, output.count)
        let error = try #require(throws: CanonicalJSONError.self) { try CanonicalJSON.parseCanonical(input) }
        #expect(error.code == .notCanonical)
        #expect(error.offset == firstDifference)
        #expect(error.description.contains("byte offset \(firstDifference)"))
    }

    @Test func parseAcceptsDataAndRawBuffers() throws {
        let output = try Vectors.data("\(Self.folder)/output/weird.json")
        let fromData = try CanonicalJSON.parseCanonical(output)
        let fromRaw = try output.withUnsafeBytes { raw in try CanonicalJSON.parseCanonical(raw) }
        #expect(fromData == fromRaw)
        #expect(fromData["\u{20ac}"] == .string("Euro Sign"))
        #expect(fromData["\u{1F602}"] == .string("Smiley"))
    }

    @Test func unnormalisedUnicodeIsKeptAsWritten() throws {
        let value = try CanonicalJSON.parse(Self.input("unicode"))
        let text = try #require(value["Unnormalized Unicode"]?.stringValue)
        #expect(Array(text.unicodeScalars.map(\.value)) == [0x41, 0x30A])
    }
}
