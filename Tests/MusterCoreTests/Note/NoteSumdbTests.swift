import Foundation
import MusterCore
import Testing

/// golang.org/x/mod/sumdb/note vectors: keys, exact signatures, malformed notes.
@Suite struct NoteSumdbTests {
    let vectors: SumdbNoteVectors
    let verifiers: [String: NoteVerifier]

    init() throws {
        vectors = try NoteVectors.decode(SumdbNoteVectors.self, "golang-mod-sumdb/note-vectors.json")
        var verifiers: [String: NoteVerifier] = [:]
        for key in vectors.keys { verifiers[key.name] = try NoteVerifier(vkey: key.vkey) }
        self.verifiers = verifiers
    }

    @Test func everyVerifierKeyParsesAndFormatsBack() throws {
        for key in vectors.keys {
            let verifier = try NoteVerifier(vkey: key.vkey)
            #expect(verifier.name == key.name)
            #expect(verifier.keyIDHex == key.keyIdHex)
            #expect(verifier.type == .ed25519)
            #expect(verifier.vkey == key.vkey)
            #expect(try NoteVerifier(name: key.name, publicKey: verifier.publicKey) == verifier)
        }
    }

    @Test func signerKeyDerivesItsVerifier() throws {
        for key in vectors.keys {
            guard let skey = key.skey else { continue }
            let signer = try NoteSigner(skey: skey)
            #expect(signer.verifier.vkey == key.vkey)
            #expect(signer.skey == skey)
            #expect(!signer.description.contains(skey.split(separator: "+", maxSplits: 4).last!))
        }
    }

    @Test func secretsStayOutOfErrorsAndDumps() throws {
        let skey = try #require(vectors.keys[0].skey)
        let secret = String(skey.split(separator: "+", maxSplits: 4).last!)
        let broken = [skey.replacingOccurrences(of: "c74f20a3", with: "00000000"), "PRIVATE+KEY+" + secret, skey + "x"]
        for text in broken {
            do {
                _ = try NoteSigner(skey: text)
                Issue.record("accepted a broken signer key")
            } catch {
                #expect(!error.reason.contains(secret) && !error.description.contains(secret))
            }
        }
        var dumped = ""
        dump(try NoteSigner(skey: skey), to: &dumped)
        #expect(!dumped.contains(secret) && dumped.contains("PeterNeumann"))
    }

    @Test func enochRootIsTheAllZeroSeed() throws {
        let key = try #require(vectors.keys.first { $0.name == "EnochRoot" })
        let signer = try NoteSigner(name: key.name, seed: [UInt8](repeating: 0, count: 32))
        #expect(signer.verifier.vkey == key.vkey)
    }

    @Test func signingReproducesTheExactNotes() throws {
        let peter = try NoteSigner(skey: try #require(vectors.keys[0].skey))
        let enoch = try NoteSigner(name: "EnochRoot", seed: [UInt8](repeating: 0, count: 32))
        let signers = ["PeterNeumann": peter, "EnochRoot": enoch]
        for signed in vectors.signedNotes {
            let note = try SignedNote.sign(vectors.noteText, with: signed.verifiesWith.map { signers[$0]! })
            #expect(note.formatted == signed.message, "\(signed.desc)")
        }
        for (name, line) in vectors.signatureLines {
            #expect(try signers[name]!.sign(vectors.noteText).line == line)
            #expect(try NoteSignature(line: line).line == line)
        }
    }

    @Test func signedNotesVerify() throws {
        for signed in vectors.signedNotes {
            let note = try SignedNote(parsing: signed.message)
            #expect(note.text == vectors.noteText)
            #expect(note.formatted == signed.message)
            let outcome = note.verify(against: Array(verifiers.values))
            #expect(outcome.verifiedKeys.map(\.name) == signed.verifiesWith, "\(signed.desc)")
            // Each key alone suffices; the other's signature is then from an unknown key.
            for name in signed.verifiesWith {
                #expect(note.verify(against: [verifiers[name]!]).verifiedKeys.map(\.name) == [name])
            }
        }
    }

    @Test func unknownKeysAreIgnored() throws {
        let note = try SignedNote(parsing: vectors.signedNotes[0].message)
        let stranger = try NoteSigner.generate(name: "PeterNeumann").verifier  // same name, other id
        #expect(note.verify(against: [stranger]) == .noKnownSignature)
        #expect(note.verify(against: []) == .noKnownSignature)
    }

    @Test(arguments: 0..<6) func malformedNotesAreRejected(_ index: Int) throws {
        let malformed = try #require(
            vectors.malformedNotes.indices.contains(index) ? vectors.malformedNotes[index] : nil
        )
        #expect(throws: NoteError(.malformedNote, ""), "\(malformed.desc)") {
            try SignedNote(parsing: malformed.message)
        }
    }

    @Test func allMalformedNotesAreCovered() {
        #expect(vectors.malformedNotes.count == 6)
    }

    @Test func invalidUTF8IsRejected() throws {
        let message = [0xFF] + Array(vectors.signedNotes[0].message.utf8)
        #expect(throws: NoteError(.malformedNote, "")) { try SignedNote(parsing: message) }
        #expect(try SignedNote(parsing: Array(vectors.signedNotes[0].message.utf8)).signatures.count == 1)
    }

    @Test func corruptedSignatureFailsForTheKnownKey() throws {
        let note = try SignedNote(parsing: vectors.invalidSignature.message)
        let peter = verifiers["PeterNeumann"]!
        #expect(note.verify(against: [peter]) == .invalidSignature(peter, line: 4))
        #expect(note.verify(against: [verifiers["EnochRoot"]!]) == .noKnownSignature)
    }

    @Test func badVerifierKeysAreRejected() {
        for bad in vectors.badVkeys {
            #expect(throws: NoteError(.malformedVerifierKey, ""), "\(bad.why)") { try NoteVerifier(vkey: bad.vkey) }
        }
    }

    @Test func legacyTreeNoteIsACheckpointBody() throws {
        let checkpoint = try Checkpoint(parsing: vectors.treeNote.text)
        #expect(checkpoint.origin == "go.sum database tree")
        #expect(checkpoint.size == vectors.treeNote.treeSize)
        #expect(checkpoint.hasSHA256RootHash)
        #expect(checkpoint.text == vectors.treeNote.text)
    }
}
