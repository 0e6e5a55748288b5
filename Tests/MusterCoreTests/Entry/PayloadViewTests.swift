import Foundation
@testable import MusterCore
import MusterTesting
import Testing

/// A payload read in place off an entry's tape (what replay and catch-up read) answers every
/// lookup as the payload's parsed value does.
@Suite struct PayloadViewTests {
    /// Every member and every member of a member of `payload`, and names no payload has.
    static func paths(_ payload: JSONValue) -> [(String, String?)] {
        var paths: [(String, String?)] = [("absent", nil), ("absent", "code"), ("", nil), ("café", nil)]
        for (name, value) in payload.objectValue ?? [:] {
            paths.append((name, nil))
            paths.append((name, "absent"))
            for inner in value.objectValue?.keys.sorted() ?? [] { paths.append((name, inner)) }
            // A prefix of a real name is not that name.
            if name.count > 1 { paths.append((String(name.dropLast()), nil)) }
        }
        return paths
    }

    static func expectSameAnswers(_ taped: PayloadView, _ tree: JSONValue) {
        let value = PayloadView(tree)
        for (name, inner) in paths(tree) {
            #expect(taped.string(name, inner) == value.string(name, inner), "\(name).\(inner ?? "")")
            #expect(taped.integer(name, inner) == value.integer(name, inner), "\(name).\(inner ?? "")")
        }
        #expect(taped.value == tree)
        #expect(taped == value && taped.hashValue == value.hashValue)
    }

    @Test func everyLookupOfATapedPayloadAnswersAsItsValueDoes() throws {
        let entries = EntryFixtures.large.entries
        let reason = "said \"no\"\\ then\n\tleft \u{01} — café 🎉"
        var stored = entries.map(\.bytes) + [try EntryTapeCheckTests.voidWithReason(reason)]
        // Amounts and constituencies (members of members) are among the payloads read.
        let donation = try #require(entries.first { $0.envelope.type == DonationReceived.schema.type })
        let join = try #require(entries.first { $0.envelope.type == MemberJoined.schema.type })
        stored += [donation.bytes, join.bytes]
        var integersRead = 0, nestedRead = 0
        for bytes in stored {
            let envelope = try Entry.decode(stored: bytes).envelope
            let tree = try #require(CanonicalJSON.parse(bytes)["payload"])
            Self.expectSameAnswers(envelope.payloadView, tree)
            for (name, inner) in Self.paths(tree) {
                if envelope.payloadView.integer(name, inner) != nil { integersRead += 1 }
                if inner != nil, envelope.payloadView.string(name, inner) != nil { nestedRead += 1 }
            }
        }
        #expect(integersRead > 0 && nestedRead > 0)
        let void = try Entry.decode(stored: stored[entries.count]).envelope
        #expect(void.payloadView.string("reason") == reason)
        #expect(Projections.voidTarget(void) == entries[0].envelope.id.text)
    }

    /// A fold reads the same from a fact whose payload is taped as from one whose payload is a value.
    @Test func aFactReadsTheSameFromATapedPayload() throws {
        let donation = try #require(EntryFixtures.large.entries.first { $0.envelope.type == DonationReceived.schema.type })
        let join = try #require(EntryFixtures.large.entries.first { $0.envelope.type == MemberJoined.schema.type })
        for entry in [donation, join] {
            let taped = try Entry.decode(stored: entry.bytes).envelope
            let key = FactKey("test", "k")
            let fromTape = Fact(taped, key: key)
            let fromValue = Fact(key: key, stamp: fromTape.stamp, seq: taped.seq, type: taped.type, subject: taped.subject?.text,
                                 recordedAt: taped.recordedAt, payload: taped.payload)
            #expect(fromTape == fromValue)
            #expect(fromTape.money("amount")?.minor == fromValue.money("amount")?.minor)
            #expect(fromTape.money("amount")?.currency == fromValue.money("amount")?.currency)
            #expect(fromTape.constituency("constituency") == fromValue.constituency("constituency"))
            #expect(fromTape.date("joinedOn") == fromValue.date("joinedOn"))
        }
        #expect(Fact(try Entry.decode(stored: donation.bytes).envelope, key: FactKey("d", "k")).money("amount") != nil)
        #expect(Fact(try Entry.decode(stored: join.bytes).envelope, key: FactKey("m", "k")).constituency("constituency") != nil)
    }
}
