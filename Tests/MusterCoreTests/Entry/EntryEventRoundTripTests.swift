import MusterCore
import MusterDemo
import Testing

/// Typed events survive draft → sealed entry → decode, and every event type is exercised.
@Suite struct EntryEventRoundTripTests {
    static let subject = try! SubjectID("0190a5b2-7c3d-4e4f-8a1b-2c3d4e5f6a7b")
    static let ref = try! EventID("0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b")
    static let plan = "6f1c2d3e-4a5b-4c6d-8e7f-a0b1c2d3e4f5"

    /// Decodes `payload` (and the sealed plaintext) into `E`'s Swift types and encodes them again.
    static func reencode<E: EventPayload>(_: E.Type, _ payload: JSONValue, _ personal: JSONValue?) throws -> (JSONValue, JSONValue?) {
        let event = try JSONValueDecoder().decode(E.self, from: payload)
        let back = try JSONValueEncoder().encode(event)
        guard let personal else { return (back, nil) }
        return (back, try JSONValueEncoder().encode(JSONValueDecoder().decode(E.Personal.self, from: personal)))
    }

    static func payloadType(_ type: String) throws -> any EventPayload.Type {
        try #require(EventCatalog.payloadTypes.first { $0.schema.type == type }, "no Swift type for \(type)")
    }

    @Test func everySyntheticDraftRoundTripsThroughItsSwiftType() throws {
        for event in EntryFixtures.large.movement.events {
            let (payload, personal) = try Self.reencode(Self.payloadType(event.draft.type), event.draft.payload, event.draft.personal)
            #expect(payload == event.draft.payload, "\(event.draft.type) payload")
            #expect(personal == event.draft.personal, "\(event.draft.type) personal")
        }
    }

    @Test func everyEntryPayloadDecodesIntoItsSwiftType() throws {
        for entry in EntryFixtures.small.entries {
            let (payload, _) = try Self.reencode(Self.payloadType(entry.envelope.type), entry.envelope.payload, nil)
            #expect(payload == entry.envelope.payload, "\(entry.envelope.type)")
        }
    }

    /// A typed sample taken through every step: draft, prepare (validate, seal), assemble, decode,
    /// then the payload and sealed plaintext decoded back into the Swift types.
    struct HandMade: Sendable, CustomStringConvertible {
        let description: String
        let check: @Sendable () throws -> Void

        init<E: EventPayload & Equatable>(_ event: E, personal: E.Personal? = nil, subject: SubjectID? = EntryEventRoundTripTests.subject)
        where E.Personal: Equatable {
            description = E.schema.type
            check = {
                let keys = InMemorySubjectKeyStore()
                let draft = try EntryDraft(event, personal: personal, subject: subject, operatorID: "op-ben")
                let entry = try PreparedEntry(draft, origin: EntryFixtures.origin, keys: keys)
                    .assemble(seq: 7, recordedAt: Timestamp("2025-06-01T10:00:00.000Z"), hlc: HLCStamp(wallMillis: 5, counter: 2))
                let decoded = try Entry.decode(entry.bytes)
                #expect(decoded == entry)
                #expect(try JSONValueDecoder().decode(E.self, from: decoded.envelope.payload) == event)
                if let personal {
                    guard case .active(let key) = keys.lookup(subject!) else { Issue.record("no key"); return }
                    let plain = try #require(decoded.envelope.sealed).open(key: key, origin: EntryFixtures.origin, id: decoded.envelope.id)
                    #expect(try JSONValueDecoder().decode(E.Personal.self, from: plain) == personal)
                } else {
                    #expect(decoded.envelope.sealed == nil)
                }
            }
        }
    }

    static let samples: [HandMade] = {
        let d = try! CalendarDate("2025-04-01"), seat = try! Constituency(code: "E14001063"), gbp = try! Money.gbp(pence: 1_500)
        return [
            HandMade(DonationPlanStarted(planId: plan, amount: gbp, frequency: "monthly", startsOn: d, method: "direct-debit")),
            HandMade(DonationPlanEnded(planId: plan, endsOn: d, reason: "donor-cancelled")),
            HandMade(DonationPlanEnded(planId: plan, endsOn: d)),
            HandMade(ImportCompleted(fileSha256: String(repeating: "ab", count: 32), sourceSystem: "nationbuilder",
                                     rows: 120, accepted: 118, rejected: 2), subject: nil),
            HandMade(EventVoided(target: ref, reason: "Recorded against the wrong member."), subject: nil),
            HandMade(MemberDetailsChanged(outwardCode: "S10"),
                     personal: .init(email: "new.address@example.org", phone: "+44 114 496 0000", dateOfBirth: try! CalendarDate("1990-02-28"))),
            HandMade(MemberDetailsChanged(), personal: .init(name: "Changed Name")),
            HandMade(ConsentWithdrawn(purpose: "fundraising", channel: "sms", withdrawnOn: d)),
            HandMade(MemberJoined(region: "wales", constituency: try! Constituency(code: "W07000081", boundarySet: "2010"),
                                  outwardCode: "CF10", joinedOn: d, source: "paper", emailIndex: String(repeating: "0f", count: 32)),
                     personal: .init(name: "Ffion Jones", email: "ffion@example.org", phone: "029 2018 0000",
                                     address: "1 Heol y Frenhines", postcode: "CF10 1AA", dateOfBirth: try! CalendarDate("2000-02-29"))),
            HandMade(MemberLeft(leftOn: d, reason: "other"), personal: .init(note: "Moving abroad; thanks for everything.")),
            HandMade(MemberLeft(leftOn: d)),
            HandMade(DonationReceived(amount: try! Money(minor: 5, currency: Currency("JPY")), receivedOn: d, method: "online",
                                      donorKind: "company", accountingUnit: "sheffield-branch", planId: plan),
                     personal: .init(donorName: "Acme Widgets Ltd", donorAddress: "Unit 4, Works Road", postcode: "S1 2AB")),
            HandMade(PledgeMade(kind: "campaign", seat: seat, election: "ge-2029", hours: 12)),
            HandMade(PledgeMade(kind: "donate", seat: seat, amount: gbp)),
            HandMade(TrainingSessionHeld(sessionId: plan, course: "phone-banking", heldOn: d, region: "london"), subject: nil),
            HandMade(DonationRefunded(donation: ref, refundedOn: d, amount: gbp)),
        ]
    }()

    @Test(arguments: samples)
    func handMadeSampleRoundTrips(sample: HandMade) throws {
        try sample.check()
    }

    @Test func everyEventTypeIsExercised() {
        let generated = Set(EntryFixtures.large.movement.events.map(\.draft.type))
        let handMade = Set(Self.samples.map(\.description))
        let missing = Set(EventCatalog.typeNames).subtracting(generated).subtracting(handMade)
        #expect(missing.isEmpty, "event types with no sample: \(missing.sorted())")
        #expect(generated.isSubset(of: Set(EventCatalog.typeNames)))
        #expect(EventCatalog.typeNames.count == 23)
    }
}
