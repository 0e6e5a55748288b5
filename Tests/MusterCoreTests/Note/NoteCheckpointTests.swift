import Foundation
import MusterCore
import Testing

/// transparency-dev/formats checkpoint and key vectors, and the C2SP checkpoint example.
@Suite struct NoteCheckpointTests {
    let vectors: NoteFormatsVectors

    init() throws {
        vectors = try NoteVectors.decode(
            NoteFormatsVectors.self,
            "transparency-dev-formats/checkpoint-and-note-vectors.json"
        )
    }

    @Test func marshalCasesFormatExactly() throws {
        #expect(!vectors.marshal.isEmpty)
        for test in vectors.marshal {
            let checkpoint = try Checkpoint(origin: test.origin, size: test.size, rootHash: Array(test.hashUtf8.utf8))
            #expect(checkpoint.text == test.text)
            #expect(try Checkpoint(parsing: test.text) == checkpoint)
            #expect(!checkpoint.hasSHA256RootHash)
            #expect(throws: NoteError(.malformedCheckpoint, "")) { try checkpoint.sha256RootHash() }
        }
    }

    @Test func unmarshalCasesAgree() throws {
        #expect(vectors.unmarshal.count == 12)
        for test in vectors.unmarshal {
            // C2SP requires extension lines to be non-empty; formats accepts empty ones. We follow C2SP.
            let strictlyInvalid =
                test.rest.map { $0.split(separator: "\n", omittingEmptySubsequences: false).dropLast().contains("") }
                ?? false
            if test.wantErr == true || strictlyInvalid {
                #expect(throws: NoteError(.malformedCheckpoint, ""), "\(test.desc)") {
                    try Checkpoint(parsing: test.text)
                }
                continue
            }
            let want = try #require(test.want)
            let checkpoint = try Checkpoint(parsing: test.text)
            #expect(checkpoint.origin == want.origin, "\(test.desc)")
            #expect(checkpoint.size == want.size, "\(test.desc)")
            #expect(checkpoint.rootHash == Array(want.hashUtf8.utf8), "\(test.desc)")
            #expect(checkpoint.extensionLines.map { $0 + "\n" }.joined() == test.rest, "\(test.desc)")
            #expect(checkpoint.text == test.text, "\(test.desc)")
        }
    }

    @Test func strictSizeAndHashGrammar() {
        for text in [
            "o\n01\nAAAA\n", "o\n+1\nAAAA\n", "o\n18446744073709551616\nAAAA\n", "o\n1\nAAB=\n", "o\n1\nAA==AA==\n",
            "o\n1\n\n", "o\n1\nAAAA\n\n",
        ] {
            #expect(throws: NoteError(.malformedCheckpoint, ""), "\(text)") { try Checkpoint(parsing: text) }
        }
        #expect((try? Checkpoint(parsing: "o\n18446744073709551615\nAAAA\n"))?.size == UInt64.max)
        #expect((try? Checkpoint(parsing: "o\n0\nAAAA\n"))?.size == 0)
    }

    @Test func testKeysDeriveTheirVerifiers() throws {
        #expect(vectors.testKeys.count == 4)
        for pair in vectors.testKeys {
            let signer = try NoteSigner(skey: pair.skey)
            #expect(signer.verifier == (try NoteVerifier(vkey: pair.vkey)))
            #expect(signer.verifier.vkey == pair.vkey)
            #expect(signer.skey == pair.skey)
        }
    }

    @Test func realSumGolangOrgCheckpointVerifies() throws {
        let real = vectors.realSumdbCheckpoint
        let verifier = try NoteVerifier(vkey: real.vkey)
        // The go.sum tree note is signed by key 'sum.golang.org', not by its origin line.
        let note = try SignedNote(parsing: real.message)
        #expect(note.verify(against: [verifier]).verifiedKeys == [verifier])
        let signed = try SignedCheckpoint(parsing: real.message)
        #expect(signed.checkpoint.origin == real.origin)
        #expect(signed.checkpoint.size == real.treeSize)
        #expect(signed.checkpoint.hasSHA256RootHash)
        #expect(signed.verify(with: verifier) == .originMismatch(keyName: "sum.golang.org", origin: real.origin))
        let corrupted = real.message.replacingOccurrences(of: "\n\(real.treeSize)\n", with: "\n\(real.treeSize + 1)\n")
        #expect(try SignedNote(parsing: corrupted).verify(against: [verifier]) == .invalidSignature(verifier, line: 5))
    }

    @Test func specCheckpointExampleParses() throws {
        struct Spec: Decodable {
            struct Example: Decodable {
                let message: String; let origin: String; let treeSize: UInt64; let rootHashBase64: String
            }
            let checkpointExample: Example
        }
        let example = try NoteVectors.decode(Spec.self, "c2sp-specs/spec-examples.json").checkpointExample
        let signed = try SignedCheckpoint(parsing: example.message)
        #expect(signed.checkpoint.origin == example.origin)
        #expect(signed.checkpoint.size == example.treeSize)
        #expect(try signed.checkpoint.sha256RootHash() == NoteVectors.base64(example.rootHashBase64))
        #expect(signed.note.signatures.map(\.name) == [example.origin])
        #expect(signed.note.signatures[0].keyIDHex == "033de0ae")
        #expect(signed.formatted == example.message)
    }
}
