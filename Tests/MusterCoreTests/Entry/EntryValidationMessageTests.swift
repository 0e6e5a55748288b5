import MusterCore
import Testing

/// Validation errors name the failing field, and never echo personal values.
@Suite struct EntryValidationMessageTests {
    static let subject = try! SubjectID("0190a5b2-7c3d-4e4f-8a1b-2c3d4e5f6a7b")
    static let id = try! EventID("0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b")
    static let origin = EntryFixtures.origin

    static func donation() throws -> EntryDraft {
        try EntryDraft(DonationReceived(amount: .gbp(pence: 2_500), receivedOn: CalendarDate("2025-03-01"),
                                        method: "card", donorKind: "individual"),
                       subject: subject, operatorID: "op-treasurer")
    }

    static func joined(personal: JSONValue?) throws -> EntryDraft {
        var draft = try EntryDraft(MemberJoined(region: "london", constituency: Constituency(code: "E14001300"),
                                                joinedOn: CalendarDate("2025-03-01")),
                                   subject: subject, operatorID: "op-ben")
        draft.personal = personal
        return draft
    }

    /// The reason of the CoreError that preparing `draft` throws.
    static func failure(_ draft: EntryDraft) -> String? {
        do {
            _ = try PreparedEntry(draft, origin: origin, id: id, keys: InMemorySubjectKeyStore())
            return nil
        } catch let error as CoreError {
            return error.reason
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        (["amount", "minor"], JSONValue.number(-5), "$.payload.amount.minor"),
        (["amount", "currency"], .string("XYZ"), "$.payload.amount.currency"),
        (["method"], .string("barter"), "$.payload.method"),
        (["receivedOn"], .string("2025-02-30"), "$.payload.receivedOn"),
        (["planId"], .string("nope"), "$.payload.planId"),
        (["surprise"], .string("x"), "$.payload.surprise"),
        (["donorKind"], nil, "donorKind"),
    ])
    func clearPayloadErrorsNameTheField(path: [String], value: JSONValue?, expected: String) throws {
        var draft = try Self.donation()
        draft.payload = EntryFixtures.setting(draft.payload, path, to: value)
        let reason = try #require(Self.failure(draft), "draft with \(path) = \(String(describing: value)) was accepted")
        #expect(reason.contains(expected), "\(reason)")
        #expect(reason.contains("donation.received"), "\(reason)")
    }

    @Test func missingRequiredPersonalFieldIsNamed() throws {
        let withoutName = try #require(Self.failure(Self.joined(personal: .object(["email": .string("a@b.org")]))))
        #expect(withoutName.contains("name"), "\(withoutName)")
        let noPersonal = try #require(Self.failure(Self.joined(personal: nil)))
        #expect(noPersonal.contains("name"), "\(noPersonal)")
        let emptyPersonal = try #require(Self.failure(Self.joined(personal: .object([:]))))
        #expect(emptyPersonal.contains("name"), "\(emptyPersonal)")
    }

    @Test(arguments: [
        ("email", JSONValue.string("secret@@x"), "secret"),
        ("email", .string("secret value@example.org"), "secret value"),
        ("postcode", .string("SECRET 1AA"), "SECRET"),
        ("phone", .string("0770 secret 900"), "secret"),
        ("dateOfBirth", .string("1990-02-30"), "1990-02-30"),
        ("dateOfBirth", .string("secret-date"), "secret"),
        ("name", .string(String(repeating: "Secretname ", count: 30)), "Secretname"),
        ("favouriteColour", .string("mauve-secret"), "mauve-secret"),
    ])
    func personalFieldErrorsAreRedacted(field: String, value: JSONValue, secret: String) throws {
        var personal: [String: JSONValue] = ["name": .string("Jane Example")]
        personal[field] = value
        let reason = try #require(Self.failure(Self.joined(personal: .object(personal))), "\(field) accepted")
        #expect(reason.contains(field), "the message names the field: \(reason)")
        #expect(!reason.contains(secret), "the message leaks the value: \(reason)")
    }

    @Test func personalFieldsInTheClearPayloadAreRejected() throws {
        var draft = try Self.joined(personal: .object(["name": .string("Jane Example")]))
        draft.payload = EntryFixtures.setting(draft.payload, ["name"], to: .string("Jane Example"))
        let reason = try #require(Self.failure(draft))
        #expect(reason.contains("$.payload.name"), "\(reason)")
        #expect(!reason.contains("Jane Example"), "\(reason)")
    }

    @Test func subjectRulesAreEnforcedWhenPreparing() throws {
        var draft = try Self.donation()
        draft.subject = nil
        #expect(Self.failure(draft)?.contains("$.subject") == true)
        var session = try EntryDraft(TrainingSessionHeld(sessionId: Self.subject.text, course: "canvassing-101",
                                                          heldOn: CalendarDate("2025-03-01"), region: "london"),
                                     subject: nil, operatorID: "op-ben")
        #expect(Self.failure(session) == nil)
        session.subject = Self.subject
        #expect(Self.failure(session)?.contains("$.subject") == true)
        var unknown = session
        unknown.type = "member.teleported"
        #expect(Self.failure(unknown)?.contains("member.joined") == true, "unknown types list the known ones")
    }
}
