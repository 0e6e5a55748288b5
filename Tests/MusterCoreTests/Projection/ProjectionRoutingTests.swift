import Foundation
@testable import MusterCore
import Testing

/// A replay asks a projection to route only the entries of the types it declares
/// (`Projection.routedTypes`) and to tally only if it says it tallies (`Projection.tallies`); the
/// catch-up asks every projection about every entry. The declarations must cover what the
/// projections do, or a replay would lose facts a catch-up keeps.
@Suite struct ProjectionRoutingTests {
    @Test func everyEntryAProjectionRoutesOrTalliesIsOfATypeItDeclares() throws {
        var routed: [String: Set<String>] = [:]
        // The synthetic movement holds no entry of these types; each is made here with what its
        // routing reads.
        let subject = SubjectID.generate()
        func made(_ type: String, _ payload: JSONValue) throws -> Envelope {
            Envelope(origin: EntryFixtures.origin, seq: 1, id: EventID.generate(unixMillis: 1_795_000_000_000), type: type, typeVersion: 1,
                     recordedAt: Timestamp(unixMillis: 1_795_000_000_000), hlc: HLCStamp(wallMillis: 1_795_000_000_000, counter: 0),
                     operatorID: "op", subject: subject, payload: payload)
        }
        let others = try [
            made(MemberDetailsChanged.schema.type, .object(["outwardCode": .string("S1")])),
            made(ConsentWithdrawn.schema.type, .object(["purpose": .string("email"), "channel": .string("email")])),
            made(DonationPlanStarted.schema.type, .object(["planId": .string("p-1")])),
            made(DonationPlanEnded.schema.type, .object(["planId": .string("p-1")])),
        ]
        for e in (EntryFixtures.large.entries + EntryFixtures.small.entries).map(\.envelope) + others {
            for p in Projections.all {
                if !p.route(e).isEmpty {
                    #expect(p.routedTypes.contains(e.type), "\(p.name) routes \(e.type) without declaring it")
                    routed[p.name, default: []].insert(e.type)
                }
                if !p.tally(e).isEmpty { #expect(p.tallies, "\(p.name) tallies \(e.type) without saying it tallies") }
            }
        }
        // The fixtures hold an entry of every type each projection declares, so the check above
        // saw each declaration used.
        for p in Projections.all {
            #expect(routed[p.name, default: []] == p.routedTypes, "\(p.name)")
        }
    }
}
