import Foundation
import MusterCore
import Testing

/// `Entry.decode` accepts exactly the canonical, schema-valid bytes and reads the envelope back.
@Suite struct EntryDecodeTests {
    static let log = EntryFixtures.small
    static var sample: Entry { log.entries.first { $0.envelope.type == "member.joined" }! }
    static var text: String { String(decoding: sample.bytes, as: UTF8.self) }

    static func decodeError(_ bytes: [UInt8]) -> CoreError? {
        do { _ = try Entry.decode(bytes); return nil } catch { return error }
    }

    static func decodeError(_ json: JSONValue) -> CoreError? { decodeError(try! CanonicalJSON.encode(json)) }

    @Test func everyLogEntryRoundTripsThroughDecodeAndEncode() throws {
        for entry in Self.log.entries {
            let decoded = try Entry.decode(entry.bytes)
            #expect(decoded.envelope == entry.envelope)
            #expect(try Entry.encode(decoded.envelope).bytes == entry.bytes, "seq \(entry.envelope.seq)")
            #expect(decoded.leafHash == entry.leafHash)
        }
    }

    @Test func authorSignatureRoundTrips() throws {
        var envelope = Self.sample.envelope
        envelope.authorSignature = try AuthorSignature(vkey: "op-treasurer+1a2b3c4d+AQID", signature: Array(0..<64))
        let entry = try Entry.encode(envelope)
        let decoded = try Entry.decode(entry.bytes)
        #expect(decoded.envelope == envelope)
        #expect(decoded.envelope.authorSignature?.signature == Array(0..<64))
    }

    static func edit(_ s: String, _ name: String) -> String {
        switch name {
        case "space after {": "{ " + s.dropFirst()
        case "trailing newline": s + "\n"
        case "space after colon": s.replacingOccurrences(of: "\"v\":1", with: "\"v\": 1")
        case "v moved first": "{\"v\":1," + s.dropFirst().replacingOccurrences(of: ",\"v\":1}", with: "}")
        case "v as 1.0": s.replacingOccurrences(of: "\"v\":1}", with: "\"v\":1.0}")
        case "escaped letter": s.replacingOccurrences(of: "\"type\":\"member", with: "\"type\":\"\\u006dember")
        case "duplicate key": s.replacingOccurrences(of: "\"v\":1}", with: "\"v\":1,\"v\":1}")
        default: s
        }
    }

    @Test(arguments: ["space after {", "trailing newline", "space after colon", "v moved first", "v as 1.0", "escaped letter", "duplicate key"])
    func nonCanonicalBytesAreRejected(name: String) throws {
        let edited = Self.edit(Self.text, name)
        try #require(edited != Self.text, "\(name) did not change the entry")
        #expect(Self.decodeError(Array(edited.utf8)) == CoreError(.invalidEnvelope, ""), "\(name)")
        // The same JSON, canonicalised again, is accepted: only the spelling was wrong.
        if name != "duplicate key" {
            #expect(try Entry.decode(CanonicalJSON.canonicalize(Array(edited.utf8))) == Self.sample)
        }
    }

    @Test func unknownTypeIsRejectedListingTheKnownTypes() throws {
        let error = try #require(Self.decodeError(EntryFixtures.setting(EntryFixtures.json(Self.sample), ["type"], to: .string("member.teleported"))))
        #expect(error == CoreError(.unknownEventType, ""))
        #expect(error.reason.contains("member.teleported"))
        for name in ["member.joined", "donation.received", "event.voided"] { #expect(error.reason.contains(name), "\(error)") }
    }

    @Test func unknownTypeVersionIsRejected() throws {
        let error = try #require(Self.decodeError(EntryFixtures.setting(EntryFixtures.json(Self.sample), ["typeVersion"], to: .number(2))))
        #expect(error == CoreError(.unknownEventType, ""))
        #expect(error.reason.contains("version 2"), "\(error)")
    }

    @Test func subjectRulesAreEnforcedWhenDecoding() throws {
        let missing = try #require(Self.decodeError(EntryFixtures.setting(EntryFixtures.json(Self.sample), ["subject"], to: nil)))
        #expect(missing == CoreError(.schemaViolation, ""))
        #expect(missing.reason.contains("subject"), "\(missing)")
        let session = try #require(Self.log.entries.first { $0.envelope.type == "training.session-held" })
        let extra = try #require(Self.decodeError(EntryFixtures.setting(
            EntryFixtures.json(session), ["subject"], to: .string("0190a5b2-7c3d-4e4f-8a1b-2c3d4e5f6a7b"))))
        #expect(extra == CoreError(.schemaViolation, ""))
        #expect(extra.reason.contains("$.subject"), "\(extra)")
    }

    @Test func otherEnvelopeDefectsAreRejected() throws {
        let json = EntryFixtures.json(Self.sample)
        #expect(Self.decodeError(Array("[]".utf8)) == CoreError(.invalidEnvelope, ""))
        #expect(Self.decodeError(EntryFixtures.setting(json, ["v"], to: .number(2))) == CoreError(.invalidEnvelope, ""))
        #expect(Self.decodeError(EntryFixtures.setting(json, ["sealed"], to: nil)) == CoreError(.schemaViolation, ""))
        #expect(Self.decodeError(EntryFixtures.setting(json, ["seq"], to: .number(0))) == CoreError(.schemaViolation, ""))
        #expect(Self.decodeError(EntryFixtures.setting(json, ["sealed", "alg"], to: .string("A128GCM"))) != nil)
        #expect(Self.decodeError(EntryFixtures.setting(json, ["typeVersion"], to: .string("1"))) != nil)
        #expect(Self.decodeError(EntryFixtures.setting(json, ["type"], to: nil)) != nil)
    }

    /// An entry's bytes must be the only spelling of its envelope: re-encoding what was read gives
    /// the same bytes, even for a base64 value with non-zero padding bits.
    @Test func decodedEnvelopeReencodesToTheSameBytes() throws {
        let padded = Self.log.entries.first { $0.envelope.sealed?.json["ct"]?.stringValue?.hasSuffix("=") == true }
        let original = try #require(padded, "no sealed entry with padded base64")
        let json = EntryFixtures.json(original)
        let ct = try #require(json["sealed"]?["ct"]?.stringValue)
        let body = ct.trimmingCharacters(in: CharacterSet(charactersIn: "="))
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let last = try #require(alphabet.firstIndex(of: body.last!))
        // Flip the lowest bit of the last digit: a padding bit, so the decoded bytes are unchanged.
        let tweaked = String(body.dropLast()) + String(alphabet[last ^ 1]) + String(repeating: "=", count: ct.count - body.count)
        let bytes = try CanonicalJSON.encode(EntryFixtures.setting(json, ["sealed", "ct"], to: .string(tweaked)))
        #expect(Self.decodeError(bytes) == CoreError(.invalidEnvelope, ""), "a non-canonical base64 spelling must be rejected")
    }
}
