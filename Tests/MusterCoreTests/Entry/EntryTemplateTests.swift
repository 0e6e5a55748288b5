@testable import MusterCore
import MusterDemo
import Testing

/// The writer fills a prepared template instead of encoding the whole entry: the bytes must be
/// exactly the RFC 8785 encoding of the envelope, whatever the place, time and clock values.
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
}
