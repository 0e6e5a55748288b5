import Foundation
@testable import MusterCore
import MusterDemo
import Testing

/// The writer fills a prepared template instead of encoding the whole entry: the bytes must be
/// exactly the RFC 8785 encoding of the envelope, whatever the place, time and clock values. The
/// template is written member by member in canonical order, so it is also compared with the
/// tree's encoding on random payloads, subjects, sealed parts and names; member names sort by
/// UTF-16 code units.
@Suite struct EntryTemplateTests {
    @Test func assembledBytesAreTheCanonicalEncodingOfTheEnvelope() throws {
        let keys = InMemorySubjectKeyStore()
        var rng = SystemRandomNumberGenerator()
        for event in SyntheticMovement(.init(members: 40, seed: 11)).events {
            let prepared = try PreparedEntry(event.draft, origin: "template.example.org/hub", keys: keys)
            let seq = UInt64.random(in: 1...9_007_199_254_740_991, using: &rng)
            let at = Timestamp(unixMillis: Int64.random(in: 0...253_402_300_799_999, using: &rng))
            let hlc = HLCStamp(wallMillis: Int64.random(in: 0...9_007_199_254_740_991, using: &rng),
                               counter: Int64.random(in: 0...1_000_000, using: &rng))
            let entry = try prepared.assemble(seq: seq, recordedAt: at, hlc: hlc)
            #expect(entry.bytes == (try CanonicalJSON.encode(entry.envelope.json)))
            #expect(try Entry.decode(entry.bytes) == entry)
        }
    }

    @Test func aTemplateRendersTheCanonicalEncodingOfRandomEntries() throws {
        var generator = SplitMix64(seed: 0x454E_5452_59)
        let types = [("member.joined", 1), ("donation.received", 2), ("x", 10), ("t\u{e9}st", 1)]
        for round in 0..<1_500 {
            var payload: [String: JSONValue] = [:]
            for _ in 0..<generator.next() % 6 {
                payload[CanonicalJSONWriterTests.randomString(using: &generator)] =
                    CanonicalJSONWriterTests.randomValue(depth: 1, using: &generator)
            }
            let (type, version) = types[Int(generator.next() % UInt64(types.count))]
            let subject = generator.next() % 3 == 0 ? nil : SubjectID.generate(using: &generator)
            let sealed = generator.next() % 2 == 0 ? nil : try SealedPayload(
                nonce: (0..<12).map { _ in UInt8.random(in: 0...255, using: &generator) },
                ciphertext: (0..<(16 + Int(generator.next() % 200))).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let id = EventID.generate(unixMillis: generator.next() % 4_000_000_000_000, using: &generator)
            let origin = ["hub.example.org/sheffield", "a\"b\\c", "s\u{1F602}"][round % 3]
            let operatorID = ["op-amira", "", "\u{0}\n"][Int(generator.next() % 3)]
            let template = try EntryTemplate(origin: origin, id: id, type: type, typeVersion: version, operatorID: operatorID,
                                             subject: subject, payload: .object(payload), sealed: sealed)
            for _ in 0..<2 {
                let seq = generator.next() % 10_000_000_000
                let recordedAt = Timestamp(unixMillis: Int64(generator.next() % 4_000_000_000_000))
                let hlc = HLCStamp(wallMillis: Int64(generator.next() % 4_000_000_000_000), counter: Int64(generator.next() % 70_000))
                let envelope = Envelope(origin: origin, seq: seq, id: id, type: type, typeVersion: version, recordedAt: recordedAt,
                                        hlc: hlc, operatorID: operatorID, subject: subject, payload: .object(payload), sealed: sealed)
                let rendered = template.render(seq: seq, recordedAt: recordedAt, hlc: hlc)
                let expected = try CanonicalJSON.encode(envelope.json)
                #expect(rendered == expected, "\(String(decoding: rendered, as: UTF8.self))")
            }
        }
    }

    @Test func aPayloadWithoutAJSONFormIsRefusedWithItsPath() {
        let error = #expect(throws: CanonicalJSONError.self) {
            try EntryTemplate(origin: "o", id: EventID.generate(unixMillis: 0), type: "t", typeVersion: 1, operatorID: "op",
                              subject: nil, payload: .object(["amount": .number(.nan)]), sealed: nil)
        }
        #expect(error?.code == .nonFiniteNumber)
        #expect(error?.description.contains("$.payload.amount") == true, "\(String(describing: error))")
    }

    /// RFC 8785 §3.2.3 sorts member names by their UTF-16 code units; the writer compares UTF-8.
    @Test func namesSortByUTF16CodeUnits() {
        var generator = SplitMix64(seed: 0x5554_4631_36)
        for _ in 0..<20_000 {
            let a = CanonicalJSONWriterTests.randomString(using: &generator)
            let b = generator.next() % 4 == 0 ? a + CanonicalJSONWriterTests.randomString(using: &generator)
                                              : CanonicalJSONWriterTests.randomString(using: &generator)
            #expect(CanonicalJSONWriter.utf16Precedes(a, b) == Array(a.utf16).lexicographicallyPrecedes(Array(b.utf16)),
                    "\(Array(a.unicodeScalars)) vs \(Array(b.unicodeScalars))")
        }
    }
}
