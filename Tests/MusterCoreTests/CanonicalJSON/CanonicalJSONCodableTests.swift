import Foundation
import MusterCore
import Testing

/// `Codable` bridging through ``JSONValueEncoder`` and ``JSONValueDecoder``.
@Suite struct CanonicalJSONCodableTests {
    struct Money: Codable, Equatable {
        var minor: Int64
        var currency: String
    }

    struct Payload: Codable, Equatable {
        var amount: Money
        var note: String?
        var tags: [String]
        var lines: [Money?]
        var ratio: Double
        var flags: [String: Bool]
        var small: UInt8
    }

    struct Event: Codable, Equatable {
        var seq: Int
        var type: String
        var payload: Payload
    }

    class Base: Codable {
        var id: Int
        init(id: Int) { self.id = id }
    }

    final class Derived: Base {
        var extra: String
        enum CodingKeys: String, CodingKey { case extra }

        init(id: Int, extra: String) {
            self.extra = extra
            super.init(id: id)
        }

        required init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            extra = try container.decode(String.self, forKey: .extra)
            try super.init(from: container.superDecoder())
        }

        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(extra, forKey: .extra)
            try super.encode(to: container.superEncoder())
        }
    }

    enum Kind: String, Codable { case joined, left }

    static let sample = Event(
        seq: 7, type: "donation.received",
        payload: Payload(
            amount: Money(minor: 1250, currency: "GBP"), note: nil, tags: ["a", "b"],
            lines: [Money(minor: 1, currency: "EUR"), nil], ratio: 0.25, flags: ["gift": true], small: 200))

    @Test func roundTripsThroughCanonicalBytes() throws {
        let value = try JSONValueEncoder().encode(Self.sample)
        let bytes = try CanonicalJSON.encode(value)
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"payload":{"amount":{"currency":"GBP","minor":1250},"flags":{"gift":true},"#
                + #""lines":[{"currency":"EUR","minor":1},null],"ratio":0.25,"small":200,"tags":["a","b"]},"#
                + #""seq":7,"type":"donation.received"}"#)
        let decoded = try JSONValueDecoder().decode(Event.self, from: CanonicalJSON.parseCanonical(bytes))
        #expect(decoded == Self.sample)
    }

    /// Writes through nested keyed and unkeyed containers, finished after their parent's other
    /// members, as Foundation's `JSONEncoder` (the independent answer) encodes them.
    struct Nested: Encodable {
        enum Keys: String, CodingKey { case a, b, list, over, back }
        /// Also writes one key twice, a nested container and then a value; Foundation traps on
        /// that, so the comparison leaves it out.
        var overwrite = false
        func encode(to encoder: any Encoder) throws {
            var top = encoder.container(keyedBy: Keys.self)
            try top.encode(1, forKey: .a)
            var inner = top.nestedContainer(keyedBy: Keys.self, forKey: .b)
            var list = top.nestedUnkeyedContainer(forKey: .list)
            try top.encode([Money(minor: 5, currency: "GBP")], forKey: .back)
            if overwrite {
                var gone = top.nestedContainer(keyedBy: Keys.self, forKey: .over)
                try gone.encode("dropped", forKey: .a)
                try top.encode("kept", forKey: .over)
            }
            try inner.encode("x", forKey: .a)
            try list.encode(2)
            var deeper = list.nestedContainer(keyedBy: Keys.self)
            try deeper.encode(true, forKey: .a)
        }
    }

    @Test func nestedContainersMatchFoundationAndTheLastWriteWins() throws {
        let ours = try JSONValueEncoder().encode(Nested())
        let foundation = try CanonicalJSON.parse(Array(JSONEncoder().encode(Nested())))
        #expect(ours == foundation)
        #expect(ours["b"] == .object(["a": .string("x")]))
        #expect(ours["list"] == .array([.number(2), .object(["a": .bool(true)])]))
        let overwritten = try JSONValueEncoder().encode(Nested(overwrite: true))
        #expect(overwritten["over"] == .string("kept"))
        #expect(overwritten["back"] == ours["back"])
    }

    @Test func nilOptionalsAreOmittedAndPresentOnesKept() throws {
        var sample = Self.sample
        #expect(try JSONValueEncoder().encode(sample)["payload"]?["note"] == nil)
        sample.payload.note = "thanks"
        let value = try JSONValueEncoder().encode(sample)
        #expect(value["payload"]?["note"] == .string("thanks"))
        #expect(try JSONValueDecoder().decode(Event.self, from: value) == sample)
    }

    @Test func nullDecodesAsNilForOptionals() throws {
        var value = try JSONValueEncoder().encode(Self.sample)
        guard case .object(var event) = value, case .object(var payload) = event["payload"] else {
            Issue.record("not an object")
            return
        }
        payload["note"] = .null
        event["payload"] = .object(payload)
        value = .object(event)
        #expect(try JSONValueDecoder().decode(Event.self, from: value).payload.note == nil)
    }

    @Test func scalarsEnumsAndClassHierarchiesRoundTrip() throws {
        #expect(try JSONValueEncoder().encode(42) == .number(42))
        #expect(try JSONValueEncoder().encode(Kind.joined) == .string("joined"))
        #expect(try JSONValueDecoder().decode([Kind].self, from: .array([.string("left")])) == [.left])
        #expect(try JSONValueEncoder().encode(Float(0.1)) == .number(0.1))
        let derived = try JSONValueEncoder().encode(Derived(id: 3, extra: "x"))
        #expect(derived == .object(["extra": .string("x"), "super": .object(["id": .number(3)])]))
        let back = try JSONValueDecoder().decode(Derived.self, from: derived)
        #expect(back.id == 3 && back.extra == "x")
        let nested: [String: [[Int?]]] = ["m": [[1, nil], []]]
        let nestedValue = try JSONValueEncoder().encode(nested)
        #expect(try JSONValueDecoder().decode([String: [[Int?]]].self, from: nestedValue) == nested)
    }

    @Test(arguments: [Int64(9_007_199_254_740_992), -9_007_199_254_740_992, .max, .min])
    func integersBeyondTheExactRangeDoNotEncode(integer: Int64) throws {
        let error = try #require(throws: JSONValueCodingError.self) {
            try JSONValueEncoder().encode(["payload": ["amount": integer]])
        }
        #expect(error.code == .integerOutOfRange)
        #expect(error.codingPath == "payload.amount")
    }

    @Test func nonFiniteDoublesDoNotEncode() throws {
        let error = try #require(throws: JSONValueCodingError.self) { try JSONValueEncoder().encode([1.0, .nan]) }
        #expect(error.code == .nonFiniteNumber)
        #expect(error.description == "[1]: nan has no JSON form")
    }

    static func decodingError(_ mutate: (inout [String: JSONValue]) -> Void) throws -> JSONValueCodingError {
        guard case .object(var money) = try JSONValueEncoder().encode(Self.sample.payload.amount) else {
            throw JSONValueCodingError(.typeMismatch, "sample is not an object", codingPath: [])
        }
        mutate(&money)
        var event = try JSONValueEncoder().encode(Self.sample).objectValue ?? [:]
        var payload = event["payload"]?.objectValue ?? [:]
        payload["amount"] = .object(money)
        event["payload"] = .object(payload)
        return try #require(throws: JSONValueCodingError.self) {
            try JSONValueDecoder().decode(Event.self, from: .object(event))
        }
    }

    @Test func decodingErrorsNameTheCodingPath() throws {
        let wrongType = try Self.decodingError { $0["minor"] = .string("12.50") }
        #expect(wrongType.code == .typeMismatch)
        #expect(wrongType.description == "payload.amount.minor: expected integer, found string")

        let fraction = try Self.decodingError { $0["minor"] = .number(12.5) }
        #expect(fraction.description == "payload.amount.minor: expected integer, found number")

        let missing = try Self.decodingError { $0["currency"] = nil }
        #expect(missing.code == .keyNotFound)
        #expect(missing.codingPath == "payload.amount.currency")

        let null = try Self.decodingError { $0["currency"] = .null }
        #expect(null.code == .valueNotFound)
        #expect(null.description == "payload.amount.currency: expected string, found null")
    }

    @Test func decodingErrorsInsideArraysAndRanges() throws {
        var value = try JSONValueEncoder().encode(Self.sample).objectValue ?? [:]
        var payload = value["payload"]?.objectValue ?? [:]
        payload["lines"] = .array([.null, .object(["minor": .bool(true), "currency": .string("GBP")])])
        value["payload"] = .object(payload)
        let element = try #require(throws: JSONValueCodingError.self) {
            try JSONValueDecoder().decode(Event.self, from: .object(value))
        }
        #expect(element.description == "payload.lines[1].minor: expected integer, found boolean")

        payload["lines"] = .array([])
        payload["small"] = .number(300)
        value["payload"] = .object(payload)
        let range = try #require(throws: JSONValueCodingError.self) {
            try JSONValueDecoder().decode(Event.self, from: .object(value))
        }
        #expect(range.code == .integerOutOfRange)
        #expect(range.codingPath == "payload.small")

        let shortArray = try #require(throws: JSONValueCodingError.self) {
            try JSONValueDecoder().decode(Money.self, from: .array([]))
        }
        #expect(shortArray.description == "(root): expected object, found array")
        #expect(shortArray == JSONValueCodingError(.typeMismatch, "other", codingPath: []))
    }
}
