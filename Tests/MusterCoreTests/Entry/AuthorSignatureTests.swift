import Foundation
import MusterCore
import Testing

/// Author signatures: the writer signs an entry at its place with an officer's key; the signature
/// covers the entry without `authorSig`, and `AuthorSignature.check` finds every change.
@Suite struct AuthorSignatureTests {
    static let treasurer = try! NoteSigner.generate(name: "treasurer.example.org")

    /// An entry of the fixture log without sealed fields, re-prepared as a draft signed by `author`.
    static func signed(by author: NoteSigner?, seq: UInt64 = 42) throws -> (unsigned: Entry, signed: Entry) {
        let original = try #require(EntryFixtures.small.entries.first { $0.envelope.sealed == nil && $0.envelope.subject != nil })
        let e = original.envelope
        var draft = EntryDraft(type: e.type, typeVersion: e.typeVersion, subject: e.subject, operatorID: e.operatorID,
                               payload: e.payload, id: e.id)
        let unsigned = try PreparedEntry(draft, origin: e.origin, keys: InMemorySubjectKeyStore())
            .assemble(seq: seq, recordedAt: e.recordedAt, hlc: e.hlc)
        draft.author = author
        let signed = try PreparedEntry(draft, origin: e.origin, keys: InMemorySubjectKeyStore())
            .assemble(seq: seq, recordedAt: e.recordedAt, hlc: e.hlc)
        return (unsigned, signed)
    }

    @Test func theWriterSignsTheEntryWithoutItsAuthorSig() throws {
        let (unsigned, signed) = try Self.signed(by: Self.treasurer)
        #expect(!AuthorSignature.isSigned(unsigned.bytes))
        #expect(AuthorSignature.isSigned(signed.bytes))
        // The signed bytes are canonical and schema-valid, and decode to the envelope the writer made.
        let decoded = try Entry.decode(signed.bytes)
        #expect(decoded.envelope == signed.envelope)
        let signature = try #require(decoded.envelope.authorSignature)
        #expect(signature.vkey == Self.treasurer.verifier.vkey)
        // Removing the member gives back the unsigned entry, byte for byte, and the signature is over those bytes.
        var members = try #require(try CanonicalJSON.parse(signed.bytes).objectValue)
        members["authorSig"] = nil
        #expect(try CanonicalJSON.encode(.object(members)) == unsigned.bytes)
        #expect(Ed25519.isValidSignature(signature.signature, for: unsigned.bytes, publicKey: Self.treasurer.publicKey))
        let (problem, key) = AuthorSignature.check(signed.bytes)
        #expect(problem == nil)
        #expect(key == Self.treasurer.verifier)
        #expect(AuthorSignature.check(unsigned.bytes) == (nil, nil))
    }

    @Test func everyChangeToASignedEntryIsFound() throws {
        let (_, signed) = try Self.signed(by: Self.treasurer)
        // Another seq: same content, another place; the signature no longer covers it.
        var moved = signed.envelope
        moved.seq += 1
        #expect(AuthorSignature.check(try Entry.encode(moved).bytes).problem?.contains("does not verify with treasurer.example.org+") == true)
        // Another key's vkey over the same signature.
        var swapped = signed.envelope
        let other = try NoteSigner.generate(name: "treasurer.example.org")
        swapped.authorSignature = try AuthorSignature(vkey: other.verifier.vkey, signature: signed.envelope.authorSignature!.signature)
        #expect(AuthorSignature.check(try Entry.encode(swapped).bytes).problem?.contains("does not verify") == true)
        // One bit of the signature.
        var flipped = signed.envelope
        var bits = signed.envelope.authorSignature!.signature
        bits[0] ^= 1
        flipped.authorSignature = try AuthorSignature(vkey: Self.treasurer.verifier.vkey, signature: bits)
        #expect(AuthorSignature.check(try Entry.encode(flipped).bytes).problem?.contains("does not verify") == true)
        // A vkey that is not a key.
        var junk = signed.envelope
        junk.authorSignature = try AuthorSignature(vkey: "op-treasurer+1a2b3c4d+AQID", signature: bits)
        #expect(AuthorSignature.check(try Entry.encode(junk).bytes).problem?.contains("is not an Ed25519 verifier key") == true)
    }

    @Test func officersAreTheRostersAndOnlyTheirs() throws {
        let hub = try NoteSigner.generate(name: "hub.example.org")
        let roster = try Roster(movement: "movement.example.org", version: 1, members: [
            Roster.Member(name: "hub.example.org", verifier: hub.verifier, url: "http://127.0.0.1:1", role: .hub),
            Roster.Member(name: "treasurer.example.org", verifier: Self.treasurer.verifier, url: nil, role: .officer),
        ])
        let trust = AuthorTrust(roster: roster)
        #expect(trust.problem(Self.treasurer.verifier) == nil)
        #expect(trust.problem(hub.verifier)?.contains("not an officer on the roster") == true)
        #expect(AuthorTrust(roster: nil).isOfficer(hub.verifier) == nil)
        // An officer's key authenticates no sync request; the role survives the roster's JSON.
        #expect(roster.syncPeer("treasurer.example.org") == nil)
        #expect(roster.syncPeer("hub.example.org") != nil)
        #expect(try Roster(jsonBytes: CanonicalJSON.encode(roster.json)) == roster)
    }

    @Test func aCosignatureKeyCannotAuthorSign() throws {
        let cosigner = try NoteSigner.generate(name: "witness.example.org", type: .cosignatureV1)
        #expect(throws: CoreError.self) { try Self.signed(by: cosigner) }
    }
}
