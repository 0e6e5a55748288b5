import Foundation
import MusterCore
import MusterTesting
import Testing

/// Subject keys between hubs: a reply opens only for the request it answers, from the hub that
/// signed it; both directions are cross-checked with the independent Python implementation
/// (Tests/Interop/sync_check.py, written from ARCHITECTURE.md "Subject-key exchange").
@Suite struct SubjectKeyExchangeTests {
    let sender: NoteSigner
    let page: SubjectKeyExchange.Page

    init() throws {
        sender = try NoteSigner(name: "kx.test/hub/a", seed: Array(repeating: 21, count: 32))
        page = SubjectKeyExchange.Page(items: try (0..<3).map { i in
            SubjectKeyExchange.Item(subject: try SubjectID("0000000\(i)-0000-4000-8000-000000000000"), key: try SubjectKey(rawBytes: Array(repeating: UInt8(40 + i), count: 32)))
        }, next: 17, more: true)
    }

    /// The roster's view: only the sender is a hub.
    func roster(_ name: String) -> NoteVerifier? { name == sender.name ? sender.verifier : nil }

    func reply(to request: SubjectKeyExchange.Request, requester: String = "kx.test/hub/b") throws -> [UInt8] {
        try SubjectKeyExchange.seal(page, requestKey: request.publicKey, requester: requester, signer: sender)
    }

    @Test func aReplyOpensForTheRequestItAnswers() throws {
        let request = SubjectKeyExchange.Request()
        let (from, opened) = try request.open(try reply(to: request), requester: "kx.test/hub/b", verifier: roster)
        #expect(from == sender.name)
        #expect(opened.items.map(\.subject) == page.items.map(\.subject))
        #expect(opened.items.map(\.key.rawBytes) == page.items.map(\.key.rawBytes))
        #expect(opened.next == 17 && opened.more)
        // The keys never appear in the reply's bytes.
        let bytes = try reply(to: request)
        for item in page.items { #expect(bytes.firstRange(of: Array(Data(item.key.rawBytes).base64EncodedString().utf8)) == nil) }
    }

    @Test func aReplyIsRefusedForAnotherRequestAnotherHubOrAnotherSigner() throws {
        let request = SubjectKeyExchange.Request()
        let bytes = try reply(to: request)
        #expect(throws: SyncError.self) { try SubjectKeyExchange.Request().open(bytes, requester: "kx.test/hub/b", verifier: roster) }
        #expect(throws: SyncError.self) { try request.open(bytes, requester: "kx.test/hub/c", verifier: roster) }
        #expect(throws: SyncError.self) { try request.open(bytes, requester: "kx.test/hub/b", verifier: { _ in nil }) }
        let impostor = try NoteSigner(name: sender.name, seed: Array(repeating: 22, count: 32))
        let forged = try SubjectKeyExchange.seal(page, requestKey: request.publicKey, requester: "kx.test/hub/b", signer: impostor)
        #expect(throws: SyncError.self) { try request.open(forged, requester: "kx.test/hub/b", verifier: roster) }
    }

    @Test(arguments: ["ct", "nonce", "ephemeral", "sig"])
    func aFlippedBitInAnyPartIsRefused(member: String) throws {
        let request = SubjectKeyExchange.Request()
        var json = try CanonicalJSON.parse(try reply(to: request)).objectValue!
        var raw = [UInt8](Data(base64Encoded: json[member]!.stringValue!)!)
        raw[raw.count / 2] ^= 0x01
        json[member] = .string(Data(raw).base64EncodedString())
        let tampered = try CanonicalJSON.encode(.object(json))
        #expect(throws: SyncError.self) { try request.open(tampered, requester: "kx.test/hub/b", verifier: roster) }
    }

    @Test func malformedRepliesAndRequestKeysGetOneLine() throws {
        let request = SubjectKeyExchange.Request()
        for bad in ["", "{}", #"{"ct":"AA==","from":"x"}"#, "[1]"] {
            #expect(throws: SyncError.self) { try request.open(Array(bad.utf8), requester: "kx.test/hub/b", verifier: roster) }
        }
        #expect(try SubjectKeyExchange.requestKey(request.parameter) == request.publicKey)
        for bad in ["", String(repeating: "0", count: 63), String(repeating: "A", count: 64), String(repeating: "g", count: 64)] {
            #expect(throws: SyncError.self) { try SubjectKeyExchange.requestKey(bad) }
        }
    }

    @Test func pythonOpensOurRepliesAndWeOpenPythons() throws {
        let secret = Array(repeating: UInt8(33), count: 32)
        let request = try SubjectKeyExchange.Request(privateKey: secret)
        let bytes = try reply(to: request)
        func python(_ reply: [UInt8], requester: String = "kx.test/hub/b") throws -> JSONValue {
            try SyncInteropTests.python(.object([
                "kind": .string("subject-keys"), "reply": .string(String(decoding: reply, as: UTF8.self)),
                "requestPrivateKey": .string(Data(secret).base64EncodedString()), "requester": .string(requester),
                "from": .string(sender.name), "publicKey": .string(Data(sender.publicKey).base64EncodedString()),
            ]))
        }
        let opened = try python(bytes)
        #expect(opened["ok"] == .bool(true), "\(opened)")
        #expect(opened["keys"]?.arrayValue?.compactMap { $0["key"]?.stringValue } == page.items.map { Data($0.key.rawBytes).base64EncodedString() })
        #expect(opened["keys"]?.arrayValue?.compactMap { $0["subject"]?.stringValue } == page.items.map(\.subject.text))
        #expect(opened["next"]?.integerValue == 17 && opened["more"] == .bool(true))
        #expect(try python(bytes, requester: "kx.test/hub/c")["ok"] == .bool(false))

        // The other way: a reply Python made opens here, with the same keys.
        let made = try SyncInteropTests.python(.object([
            "kind": .string("subject-keys-seal"), "seed": .string(Data(Array(repeating: UInt8(21), count: 32)).base64EncodedString()),
            "from": .string(sender.name), "to": .string("kx.test/hub/b"), "request": .string(Data(request.publicKey).base64EncodedString()),
            "page": .object(["keys": .array(page.items.map { .object(["key": .string(Data($0.key.rawBytes).base64EncodedString()), "subject": .string($0.subject.text)]) }),
                             "more": .bool(false), "next": .number(3)]),
        ]))
        let theirs = Array((made["reply"]?.stringValue ?? "").utf8)
        let (_, page2) = try request.open(theirs, requester: "kx.test/hub/b", verifier: roster)
        #expect(page2.items.map(\.key.rawBytes) == page.items.map(\.key.rawBytes) && page2.next == 3 && !page2.more)
    }
}
