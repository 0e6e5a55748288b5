import Foundation
import MusterCore
import Testing

/// Sign → format → parse → verify with fresh keys; tlog-proof format → parse; the C2SP signed-note
/// examples.
@Suite struct NoteRoundTripTests {
    struct SpecFile: Decodable {
        struct Example: Decodable { let vkey: String?; let message: String; let noteText: String? }
        let signedNoteExample: Example
        let signedNoteIntroExample: Example
    }

    @Test func specSignedNoteExampleVerifies() throws {
        let example = try NoteVectors.decode(SpecFile.self, "c2sp-specs/spec-examples.json").signedNoteExample
        let verifier = try NoteVerifier(vkey: try #require(example.vkey))
        let note = try SignedNote(parsing: example.message)
        #expect(note.text == example.noteText)
        #expect(note.verify(against: [verifier]).verifiedKeys == [verifier])
    }

    @Test func textIsSeparatedAtTheLastBlankLine() throws {
        let example = try NoteVectors.decode(SpecFile.self, "c2sp-specs/spec-examples.json").signedNoteIntroExample
        let note = try SignedNote(parsing: example.message)
        #expect(note.text.split(separator: "\n", omittingEmptySubsequences: false).count == 5)
        #expect(note.text.hasSuffix("\n\ned è subito sera.\n"))
        #expect(note.signatures.map(\.name) == ["quasimodo.example/salvatore"])
        #expect(note.formatted == example.message)
    }

    @Test(arguments: ["a\n", "two\n\nparagraphs\n", "ünïcødé — text\n", "trailing blank\n\n"])
    func signParseVerify(_ text: String) throws {
        let first = try NoteSigner.generate(name: "muster.example.org/hub/sheffield")
        let second = try NoteSigner.generate(name: "muster.example.org/hub/surrey")
        let note = try SignedNote.sign(text, with: [first, second])
        let parsed = try SignedNote(parsing: note.formatted)
        #expect(parsed == note)
        #expect(parsed.text == text)
        #expect(
            parsed.verify(against: [second.verifier, first.verifier]).verifiedKeys == [first.verifier, second.verifier]
        )
        let restored = try NoteSigner(skey: first.skey)
        #expect(restored.verifier == first.verifier)
    }

    @Test func keyNamesMatchByteForByte() throws {
        let signer = try NoteSigner.generate(name: "caf\u{E9}.example")
        let note = try SignedNote.sign("text\n", with: [signer])
        let signature = note.signatures[0]
        // Canonically equivalent (NFD) but different bytes: a different name, so an unknown key.
        let renamed = try NoteSignature(name: "cafe\u{301}.example", keyID: signature.keyID, bytes: signature.bytes)
        #expect(renamed.name == signature.name)  // Swift's String equality is canonical
        #expect(try note.adding([]).verify(against: [signer.verifier]).isVerified)
        #expect(
            try SignedNote(text: "text\n", signatures: [renamed]).verify(against: [signer.verifier])
                == .noKnownSignature
        )
    }

    @Test(arguments: ["", "no newline", "tab\there\n", "cr\r\n"])
    func unsignableTextIsRejected(_ text: String) throws {
        let signer = try NoteSigner.generate(name: "example.org/log")
        #expect(throws: NoteError(.invalidNoteText, "")) { try signer.sign(text) }
    }

    @Test(arguments: ["", "has space", "has+plus", "nbsp\u{00A0}x", "ctl\u{01}"])
    func invalidKeyNamesAreRejected(_ name: String) {
        #expect(throws: NoteError.self) { try NoteSigner.generate(name: name) }
        #expect(throws: NoteError.self) { try NoteVerifier(name: name, publicKey: [UInt8](repeating: 1, count: 32)) }
    }

    @Test func signedCheckpointRoundTripAndOriginRule() throws {
        let origin = "muster.example.org/hub/newcastle"
        let signer = try NoteSigner.generate(name: origin)
        let checkpoint = try Checkpoint(origin: origin, size: 7, rootHash: [UInt8](repeating: 0xAB, count: 32))
        let signed = try SignedCheckpoint.sign(checkpoint, with: signer)
        #expect(try SignedCheckpoint.open(signed.formatted, verifier: signer.verifier) == .verified(signed))
        let stranger = try NoteSigner.generate(name: "muster.example.org/hub/other")
        #expect(throws: NoteError(.keyMismatch, "")) { try SignedCheckpoint.sign(checkpoint, with: stranger) }
        #expect(signed.verify(with: stranger.verifier) == .originMismatch(keyName: stranger.name, origin: origin))
        let witness = try NoteSigner.generate(name: "witness.example/w1", type: .cosignatureV1)
        let cosigned = try signed.note.adding([witness.sign(signed.note.text, timestamp: 1_700_000_123)])
        let outcome = cosigned.verify(against: [signer.verifier, witness.verifier])
        #expect(outcome.verifiedKeys == [signer.verifier, witness.verifier])
        #expect(try SignedCheckpoint.open(cosigned.formatted, verifier: signer.verifier).isVerified)
    }

    @Test(arguments: [nil, [UInt8]("context".utf8)], [0, 3, 12])
    func tlogProofFormatParse(_ extra: [UInt8]?, _ hashCount: Int) throws {
        let origin = "muster.example.org/hub/sheffield"
        let signer = try NoteSigner.generate(name: origin)
        let checkpoint = try Checkpoint(origin: origin, size: 5000, rootHash: [UInt8](repeating: 9, count: 32))
        let hashes = (0..<hashCount).map { [UInt8](repeating: UInt8($0), count: 32) }
        let proof = try TlogProof(
            index: 4321,
            inclusionProof: hashes,
            checkpoint: SignedCheckpoint.sign(checkpoint, with: signer),
            extra: extra
        )
        let text = proof.formatted
        #expect(
            text.hasPrefix("c2sp.org/tlog-proof@v1\n" + (extra == nil ? "" : "extra Y29udGV4dA==\n") + "index 4321\n")
        )
        let parsed = try TlogProof(parsing: text)
        #expect(parsed == proof)
        #expect(parsed.formatted == text)
        #expect(parsed.verifyCheckpoint(with: signer.verifier).isVerified)
    }

    @Test func malformedTlogProofsAreRejected() throws {
        let signer = try NoteSigner.generate(name: "o.example")
        let note = try SignedCheckpoint.sign(
            Checkpoint(origin: "o.example", size: 2, rootHash: [UInt8](repeating: 1, count: 32)),
            with: signer
        ).formatted
        let hash = Data(repeating: 2, count: 32).base64EncodedString()
        let good = "c2sp.org/tlog-proof@v1\nindex 1\n\(hash)\n\n" + note
        #expect(try TlogProof(parsing: good).inclusionProof.count == 1)
        let bad = [
            "c2sp.org/tlog-proof@v2\nindex 1\n\(hash)\n\n" + note,  // wrong header
            "c2sp.org/tlog-proof@v1\nindex 01\n\(hash)\n\n" + note,  // leading zero
            "c2sp.org/tlog-proof@v1\nindex 2\n\(hash)\n\n" + note,  // index not below size
            "c2sp.org/tlog-proof@v1\nextra \nindex 1\n\(hash)\n\n" + note,  // empty extra
            "c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\n" + note,  // hash not 32 bytes
            "c2sp.org/tlog-proof@v1\nindex 1\n\(hash)\n" + note,  // no empty line
            "c2sp.org/tlog-proof@v1\nindex 1\n\(hash)\n\n",  // no checkpoint
            "c2sp.org/tlog-proof@v1\nindex 1\n\(hash)",  // truncated
        ]
        for text in bad {
            #expect(throws: NoteError.self, "\(text.prefix(60))") { try TlogProof(parsing: text) }
        }
    }
}
