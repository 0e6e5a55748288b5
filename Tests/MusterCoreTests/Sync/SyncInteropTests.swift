import Foundation
import MusterCore
import MusterTesting
import Testing

/// Request signatures and equivocation evidence, cross-checked with an independent Python
/// implementation written from RFC 9421, RFC 9162 and the C2SP specs (Tests/Interop/sync_check.py).
@Suite struct SyncInteropTests {
    static let script = InteropScript("sync_check.py")

    static func python(_ input: JSONValue) throws -> JSONValue { try script.run(input) }

    /// The checker's own known answers (RFC 9421 requests, evidence, subject-key replies it seals and opens itself).
    @Test func theIndependentCheckerPassesItsSelfTest() throws {
        let (status, text) = try Self.script.selfTest()
        #expect(status == 0, "\(text.suffix(2000))")
        #expect(text.contains("ALL PASSED"))
    }

    @Test(arguments: ["", "origin=sync.example%2Fhub%2Fa&start=0&end=8192&checkpoint=9000", "wait=20&since=abc"])
    func pythonVerifiesOurRequestSignatures(query: String) throws {
        let key = try NoteSigner(name: #"interop.example/hub/"a"\b"#, seed: Array(repeating: 11, count: 32))
        let h = try RequestSignature.sign(method: "GET", path: "/v1/entries", query: query, signer: key, created: 1_700_000_000)
        func check(_ q: String, now: Int64 = 1_700_000_100) throws -> JSONValue {
            try Self.python(.object([
                "kind": .string("request"), "method": .string("GET"), "path": .string("/v1/entries"), "query": .string(q),
                "signatureInput": .string(h.signatureInput), "signature": .string(h.signature),
                "publicKey": .string(Data(key.publicKey).base64EncodedString()), "now": .number(Double(now)),
            ]))
        }
        let ok = try check(query)
        #expect(ok["ok"] == .bool(true), "\(ok)")
        #expect(ok["keyid"]?.stringValue == key.name)
        #expect(try check(query + "&x=1")["ok"] == .bool(false))
        #expect(try check(query, now: 1_700_000_301)["ok"] == .bool(false))
    }

    @Test(arguments: [(5, 3, 17), (8, 0, 9), (4, 2, 4), (12, 6, 30)])
    func pythonVerifiesOurEvidence(held: Int, forkAt: Int, theirSize: Int) throws {
        let key = try NoteSigner(name: "interop.example/hub/a", seed: Array(repeating: 12, count: 32))
        let ours = MerkleTree(leafHashes: (0..<held).map { MerkleHash.leafHash(Array("e\($0)".utf8)) })
        let theirs = MerkleTree(leafHashes: (0..<theirSize).map { MerkleHash.leafHash(Array("e\($0)\($0 >= forkAt ? "'" : "")".utf8)) })
        func note(_ tree: MerkleTree, _ size: Int) throws -> String {
            try SignedCheckpoint.sign(Checkpoint(origin: key.name, size: UInt64(size), rootHash: tree.root(treeSize: UInt64(size)).bytes), with: key).formatted
        }
        let a = try note(ours, held), b = try note(theirs, theirSize)
        let root = try theirs.root(treeSize: UInt64(held))
        let proof = held == theirSize ? [] : try theirs.consistencyProof(from: UInt64(held), to: UInt64(theirSize)).hashes
        let evidence = EquivocationEvidence(origin: key.name, a: a, b: b, rootAtA: root, proof: proof)
        try evidence.verify(with: key.verifier)
        let verdict = try Self.python(.object(["kind": .string("evidence"), "vkey": .string(key.verifier.vkey), "evidence": evidence.json]))
        #expect(verdict["ok"] == .bool(true), "\(verdict)")
        // Consistent checkpoints are no evidence, for both implementations.
        let honest = EquivocationEvidence(origin: key.name, a: try note(theirs, held), b: b, rootAtA: root, proof: proof)
        #expect(throws: SyncError.self) { try honest.verify(with: key.verifier) }
        let refused = try Self.python(.object(["kind": .string("evidence"), "vkey": .string(key.verifier.vkey), "evidence": honest.json]))
        #expect(refused["ok"] == .bool(false))
    }
}
