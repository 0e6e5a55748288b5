import Foundation
import MusterCore
import Testing

@Suite struct RosterTests {
    let root = try! NoteSigner(name: "movement.example", seed: Array(repeating: 1, count: 32))
    let hubKey = try! NoteSigner(name: "movement.example/hub/a", seed: Array(repeating: 2, count: 32))

    func roster(version: UInt64 = 1) throws -> Roster {
        try Roster(movement: "movement.example", version: version, members: [
            Roster.Member(name: hubKey.name, verifier: hubKey.verifier, url: "http://127.0.0.1:8440", role: .hub),
        ])
    }

    @Test func aSignedRosterOpensOnlyWithTheRootKey() throws {
        let note = try roster().sign(with: root)
        let opened = try Roster.open(note, root: root.verifier)
        #expect(opened == (try roster()))
        #expect(opened.member(hubKey.name)?.verifier == hubKey.verifier)
        let stranger = try NoteSigner(name: "movement.example", seed: Array(repeating: 3, count: 32))
        #expect(throws: SyncError.self) { try Roster.open(note, root: stranger.verifier) }
        let edited = note.replacingOccurrences(of: "8440", with: "9999")
        #expect(throws: SyncError.self) { try Roster.open(edited, root: root.verifier) }
    }

    @Test func badRostersAreRefusedWithTheReason() throws {
        #expect(throws: SyncError.self) { try Roster.Member(name: "other", verifier: hubKey.verifier, url: nil, role: .hub) }
        #expect(throws: SyncError.self) { try Roster.Member(name: hubKey.name, verifier: hubKey.verifier, url: "ftp://x", role: .hub) }
        let member = try Roster.Member(name: hubKey.name, verifier: hubKey.verifier, url: nil, role: .hub)
        #expect(throws: SyncError.self) { try Roster(movement: "m", version: 1, members: [member, member]) }
        let signer = try NoteSigner(name: "another.movement", seed: Array(repeating: 1, count: 32))
        #expect(throws: SyncError.self) { try self.roster().sign(with: signer) }
        #expect(throws: SyncError.self) { try Roster(jsonBytes: Array(#"{"format":"muster-roster/1","movement":"m","version":0,"members":[]}"#.utf8)) }
    }
}

@Suite struct RequestSignatureTests {
    let key = try! NoteSigner(name: "sig.example/hub/\"quoted\"", seed: Array(repeating: 4, count: 32))

    func verify(_ h: RequestSignature.Headers, method: String = "GET", path: String = "/v1/entries",
                query: String = "origin=a&start=0", now: Int64 = 1_000) throws -> String {
        try RequestSignature.verify(method: method, path: path, query: query, signatureInput: h.signatureInput,
                                    signature: h.signature, now: now) { $0 == key.name ? key.verifier : nil }
    }

    @Test func aSignedRequestVerifiesAndNamesItsSigner() throws {
        let h = try RequestSignature.sign(method: "GET", path: "/v1/entries", query: "origin=a&start=0", signer: key, created: 1_000)
        #expect(h.signatureInput.hasPrefix(#"muster=("@method" "@path" "@query");created=1000;keyid="sig.example/hub/\"quoted\"""#))
        #expect(try verify(h) == key.name)
        #expect(try verify(h, now: 1_299) == key.name)
    }

    @Test func anyChangeOrStaleOrStrangeSignatureIsRefused() throws {
        let h = try RequestSignature.sign(method: "GET", path: "/v1/entries", query: "origin=a&start=0", signer: key, created: 1_000)
        #expect(throws: SyncError.self) { try verify(h, query: "origin=a&start=1") }
        #expect(throws: SyncError.self) { try verify(h, path: "/v1/heads") }
        #expect(throws: SyncError.self) { try verify(h, method: "POST") }
        #expect(throws: SyncError.self) { try verify(h, now: 1_301) }
        let other = try NoteSigner(name: "sig.example/hub/b", seed: Array(repeating: 5, count: 32))
        let stranger = try RequestSignature.sign(method: "GET", path: "/v1/entries", query: "origin=a&start=0", signer: other, created: 1_000)
        #expect(throws: SyncError.self) { try verify(stranger) }
        let swapped = RequestSignature.Headers(signatureInput: stranger.signatureInput.replacingOccurrences(of: "sig.example/hub/b", with: key.name),
                                               signature: stranger.signature)
        #expect(throws: SyncError.self) { try verify(swapped) }
        #expect(throws: SyncError.self) {
            try RequestSignature.verify(method: "GET", path: "/", query: "", signatureInput: nil, signature: nil, now: 0) { _ in nil }
        }
    }
}

@Suite struct SyncWireTests {
    @Test func batchesRoundTripAndTruncationIsCaught() throws {
        let entries = [Array(#"{"a":1}"#.utf8), Array(#"{"b":"x\ny"}"#.utf8)]
        let body: [UInt8] = entries.flatMap { e -> [UInt8] in e + [0x0A] }
        let bytes = SyncWire.Batch.encode(origin: "o", start: 4, count: 2, checkpoint: "cp\n", proof: [MerkleHash.leafHash([1])], body: body)
        let batch = try SyncWire.Batch(bytes: bytes)
        #expect(batch.entries == entries && batch.start == 4 && batch.proof == [MerkleHash.leafHash([1])])
        #expect(throws: SyncError.self) { try SyncWire.Batch(bytes: Array(bytes.dropLast())) }
        #expect(throws: SyncError.self) { try SyncWire.Batch(bytes: Array(bytes.dropLast(entries[1].count + 1))) }
        #expect(throws: SyncError.self) { try SyncWire.Batch(bytes: Array("not json\n".utf8)) }
    }

    @Test func headsRoundTrip() throws {
        let heads = SyncWire.Heads(hub: "h", token: "t", heads: [.init(origin: "o", checkpoint: "n\n")], frozen: ["x"], rosterVersion: 3)
        #expect(try SyncWire.Heads(bytes: heads.bytes) == heads)
    }
}
