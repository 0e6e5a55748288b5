import Foundation
import MusterCore
import Testing

/// Witness cosignatures (cosignature/v1, type 0x04): the C2SP example, formats vectors and the
/// derived fixture.
@Suite struct NoteCosignatureTests {
    struct SpecFile: Decodable {
        struct Parsed: Decodable {
            let keyIdHex: String; let timestamp: UInt64; let ed25519SignatureHex: String; let totalBytes: Int
        }
        struct Example: Decodable {
            let message: String
            let cosignatureLineParsed: Parsed
            let ed25519SignedMessage: String
        }
        struct Witness: Decodable { let body: String }
        let cosignatureExample: Example
        let witnessAddCheckpointRequestExample: Witness
    }

    struct Fixture: Decodable {
        let cosignerName: String
        let cosignerSkeyUpstream: String
        let cosignerVkeyType04: String
        let keyIdHex: String
        let timestamp: UInt64
        let logVkey: String
        let checkpointBody: String
        let signedMessage: String
        let cosignatureLine: String
        let cosignedCheckpoint: String
    }

    @Test func specExampleCosignatureLineFields() throws {
        let example = try NoteVectors.decode(SpecFile.self, "c2sp-specs/spec-examples.json").cosignatureExample
        let signed = try SignedCheckpoint(parsing: example.message)
        #expect(signed.note.signatures.count == 2)
        let line = signed.note.signatures[1]
        #expect(line.keyIDHex == example.cosignatureLineParsed.keyIdHex)
        #expect(line.bytes.count + 4 == example.cosignatureLineParsed.totalBytes)
        let cosignature = try Cosignature(line)
        #expect(cosignature.timestamp == example.cosignatureLineParsed.timestamp)
        #expect(cosignature.signature == NoteVectors.bytes(hex: example.cosignatureLineParsed.ed25519SignatureHex))
        let message = Cosignature.signedMessage(text: signed.note.text, timestamp: cosignature.timestamp)
        #expect(message == Array(example.ed25519SignedMessage.utf8))
        #expect(signed.formatted == example.message)
    }

    @Test func witnessRequestCarriesAParsableCheckpoint() throws {
        let body = try NoteVectors.decode(SpecFile.self, "c2sp-specs/spec-examples.json")
            .witnessAddCheckpointRequestExample.body
        let blank = try #require(body.range(of: "\n\n"))
        let signed = try SignedCheckpoint(parsing: String(body[blank.upperBound...]))
        #expect(signed.checkpoint.origin == "example.com/behind-the-sofa")
        #expect(signed.note.signatures.count == 2)
    }

    @Test func derivedFixtureVerifies() throws {
        let fixture = try NoteVectors.decode(Fixture.self, "derived/cosignature-v1-fixture.json")
        let witness = try NoteVerifier(vkey: fixture.cosignerVkeyType04)
        #expect(witness.type == .cosignatureV1)
        #expect(witness.keyIDHex == fixture.keyIdHex)
        // The same seed as the formats "Known" key, under the witness name and type 0x04.
        let upstream = try NoteSigner(skey: fixture.cosignerSkeyUpstream)
        #expect(upstream.verifier.withType(.cosignatureV1).publicKey == witness.publicKey)
        let log = try NoteVerifier(vkey: fixture.logVkey)
        let opened = try SignedCheckpoint.open(fixture.cosignedCheckpoint, verifier: log)
        guard case .verified(let signed) = opened else {
            Issue.record("log signature: \(opened)")
            return
        }
        #expect(signed.note.text == fixture.checkpointBody)
        let outcome = signed.note.verify(against: [log, witness])
        #expect(outcome.verifiedKeys == [log, witness])
        guard case .verified(let signatures) = outcome else { return }
        #expect(signatures[1].timestamp == fixture.timestamp)
        #expect(signatures[0].timestamp == nil)
        let line = try NoteSignature(line: fixture.cosignatureLine)
        #expect(
            Cosignature.signedMessage(text: fixture.checkpointBody, timestamp: fixture.timestamp)
                == Array(fixture.signedMessage.utf8)
        )
        #expect(witness.isValidSignature(line, for: fixture.checkpointBody))
        #expect(!witness.isValidSignature(line, for: fixture.checkpointBody + "x\n"))
    }

    @Test func cosigningReproducesTheFixture() throws {
        let fixture = try NoteVectors.decode(Fixture.self, "derived/cosignature-v1-fixture.json")
        let seedSource = try NoteSigner(skey: fixture.cosignerSkeyUpstream)
        let seed = Array(
            NoteVectors.base64(String(seedSource.skey.split(separator: "+", maxSplits: 4).last!)).dropFirst()
        )
        let cosigner = try NoteSigner(name: fixture.cosignerName, seed: seed, type: .cosignatureV1)
        #expect(cosigner.verifier.vkey == fixture.cosignerVkeyType04)
        let line = try cosigner.sign(fixture.checkpointBody, timestamp: fixture.timestamp).line
        #expect(line == fixture.cosignatureLine)
        #expect(throws: NoteError(.keyMismatch, "")) { try seedSource.sign(fixture.checkpointBody, timestamp: 1) }
    }

    @Test func formatsTimestampParsing() throws {
        let vectors = try NoteVectors.decode(
            NoteFormatsVectors.self,
            "transparency-dev-formats/checkpoint-and-note-vectors.json"
        )
        for test in vectors.cosignatureV1.timestampParse {
            let bytes = NoteVectors.base64(test.sigBase64)
            if test.wantErr == true {
                #expect(throws: NoteError(.malformedCosignature, "")) { try Cosignature(encoded: bytes) }
            } else {
                let cosignature = try Cosignature(encoded: bytes)
                #expect(cosignature.timestamp == test.wantUnixSeconds)
                #expect(cosignature.encoded == bytes)
            }
        }
    }

    @Test func formatsCosignerVerifierKeys() throws {
        let vectors = try NoteVectors.decode(
            NoteFormatsVectors.self,
            "transparency-dev-formats/checkpoint-and-note-vectors.json"
        )
        let native = try NoteVerifier(vkey: vectors.cosignatureV1.vkeys[0].vkey)
        #expect(native.type == .cosignatureV1)
        #expect(native.vkey == vectors.cosignatureV1.vkeys[0].vkey)
        let plain = try NoteVerifier(vkey: vectors.cosignatureV1.vkeys[1].vkey)
        #expect(plain.type == .ed25519)
        let converted = plain.withType(.cosignatureV1)
        #expect(converted.keyID != plain.keyID)
        #expect(try NoteVerifier(vkey: converted.vkey) == converted)
        for bad in vectors.cosignatureV1.invalidVkeys {
            #expect(throws: NoteError(.malformedVerifierKey, "")) { try NoteVerifier(vkey: bad.vkey) }
        }
    }
}
