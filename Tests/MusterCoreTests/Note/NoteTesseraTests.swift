import Foundation
import MusterCore
import Testing

/// The 16 checkpoints of transparency-dev/tessera's test log, checked with the keys published in
/// that folder's SOURCE.md (read at run time).
@Suite struct NoteTesseraTests {
    @Test(arguments: 0...15) func checkpointVerifies(_ size: Int) throws {
        let verifier = try NoteVerifier(vkey: try NoteVectors.tesseraKey("LOG_PUBLIC_KEY"))
        let text = try NoteVectors.text("transparency-dev-tessera/log/checkpoint.\(size)")
        let outcome = try SignedCheckpoint.open(text, verifier: verifier)
        guard case .verified(let signed) = outcome else {
            Issue.record("checkpoint.\(size): \(outcome)")
            return
        }
        #expect(signed.checkpoint.origin == verifier.name)
        #expect(signed.checkpoint.size == UInt64(size))
        #expect(try signed.checkpoint.sha256RootHash().count == 32)
        #expect(signed.formatted == text)
    }

    @Test(arguments: 0...15) func privateKeyReproducesTheSignature(_ size: Int) throws {
        let signer = try NoteSigner(skey: try NoteVectors.tesseraKey("LOG_PRIVATE_KEY"))
        #expect(signer.verifier.vkey == (try NoteVectors.tesseraKey("LOG_PUBLIC_KEY")))
        let text = try NoteVectors.text("transparency-dev-tessera/log/checkpoint.\(size)")
        let parsed = try SignedCheckpoint(parsing: text)
        let resigned = try SignedCheckpoint.sign(parsed.checkpoint, with: signer)
        #expect(resigned.formatted == text)
    }

    @Test func latestCheckpointIsCheckpointFifteen() throws {
        #expect(
            try NoteVectors.text("transparency-dev-tessera/log/checkpoint")
                == (try NoteVectors.text("transparency-dev-tessera/log/checkpoint.15"))
        )
    }

    @Test func wrongKeyOrTamperedBodyDoesNotVerify() throws {
        let verifier = try NoteVerifier(vkey: try NoteVectors.tesseraKey("LOG_PUBLIC_KEY"))
        let text = try NoteVectors.text("transparency-dev-tessera/log/checkpoint.3")
        let other = try NoteSigner.generate(name: verifier.name).verifier
        #expect(try SignedCheckpoint.open(text, verifier: other) == .notVerified(.noKnownSignature))
        let tampered = text.replacingOccurrences(of: "\n3\n", with: "\n4\n")
        #expect(
            try SignedCheckpoint.open(tampered, verifier: verifier)
                == .notVerified(.invalidSignature(verifier, line: 5))
        )
    }
}
