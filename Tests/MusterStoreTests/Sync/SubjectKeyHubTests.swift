import Foundation
import MusterCore
import MusterStore
import MusterSync
import MusterTesting
import Testing

/// Subject keys between real hubs on loopback: they travel with the logs (relayed by hubs that
/// never met the origin), only to roster hubs, and an erasure takes them out of circulation.
@Suite(.serialized) struct SubjectKeyHubTests {
    static let member: JSONValue = .object([
        "name": .string("Ada Lovelace"), "email": .string("ada@example.org"), "region": .string("yorkshire-and-the-humber"),
        "constituency": .object(["code": .string("E14001480"), "boundarySet": .string("2024")]), "joinedOn": .string("2026-11-01"),
    ])

    /// Polls `muster show ID --reveal` at `name` until its output contains `text`.
    func waitForShow(_ m: Movement, at name: String, _ id: String, contains text: String, seconds: Double = 30) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = (try? Movement.cli(["show", id, "--reveal", "--data-dir", m.dir(name)])) ?? ""
            if last.contains(text) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("\(name) never showed '\(text)' for \(id); last output: \(last)")
        return last
    }

    @Test func keysTravelAlongARelayChainAndNeverToAnAuditor() async throws {
        let m = try Movement(["a", "b", "c"])
        try m.start("a", ["--no-sync"])
        try m.start("b", ["--follow", m.url("a")])
        try m.start("c", ["--follow", m.url("b")])
        let subject = SubjectID.generate()
        let joined = try await m.record(at: "a", "member.joined", Self.member, subject: subject.text)

        // c never talks to a, yet opens the member's sealed fields: b relays the key.
        let shown = try await waitForShow(m, at: "c", joined, contains: "Ada Lovelace")
        #expect(shown.contains("ada@example.org"))
        let peers = try Movement.cli(["peers", "--data-dir", m.dir("c")])
        #expect(peers.contains(Synchronizer.keysRow) && peers.contains("subject keys held: 1 subjects (1 keys), 0 erased"), "\(peers)")

        // An auditor on the roster reads the logs but is refused keys, with the reason.
        let auditor = try m.signer(keyFile: m.auditorKey)
        _ = try await PeerClient(url: m.url("a"), signer: auditor).heads()
        do {
            _ = try await PeerClient(url: m.url("a"), signer: auditor).subjectKeys(after: 0, limit: 10, request: .init())
            Issue.record("an auditor was given subject keys")
        } catch let e as PeerError {
            #expect(e.status == 403 && e.reason.contains("subject keys go only to roster hubs"), "\(e)")
        }
        // A malformed request key is a 400 naming the parameter.
        let c = try DataDirectory(path: m.dir("c")).logSigner()
        do {
            _ = try await PeerClient(url: m.url("a"), signer: c).get("/v1/subject-keys", [("after", "0"), ("to", "zz")])
            Issue.record("a malformed request key was accepted")
        } catch let e as PeerError {
            #expect(e.status == 400 && e.reason.contains("'to'"), "\(e)")
        }

        // A hub's reply answers only its request, signed by the hub asked.
        let roster = try #require(try DataDirectory(path: m.dir("c")).roster())
        let request = SubjectKeyExchange.Request()
        let reply = try await PeerClient(url: m.url("a"), signer: c).subjectKeys(after: 0, limit: 10, request: request)
        let (from, page) = try request.open(reply, requester: m.origin("c")) { roster.member($0)?.verifier }
        #expect(from == m.origin("a") && page.items.map(\.subject) == [subject] && !page.more)

        // Erasure at a: every hub destroys the key, and no hub hands it out again.
        _ = try await m.record(at: "a", "subject.erased", .object(["requestedOn": .string("2026-11-21"), "basis": .string("gdpr-art17")]),
                               subject: subject.text)
        _ = try await waitForShow(m, at: "c", joined, contains: "erased")
        for hub in ["a", "b"] {
            let again = SubjectKeyExchange.Request()
            let bytes = try await PeerClient(url: m.url(hub), signer: c).subjectKeys(after: 0, limit: 10, request: again)
            #expect(try again.open(bytes, requester: m.origin("c")) { roster.member($0)?.verifier }.page.items.isEmpty, "\(hub) still serves an erased key")
        }
    }

    @Test func twoHubsThatEachMadeAKeyForOneMemberEndUpOpeningBoth() async throws {
        let m = try Movement(["a", "b"])
        try m.start("a", ["--no-sync"])
        try m.start("b", ["--no-sync"])
        // Before they exchange anything, both seal personal data for the same member.
        let subject = SubjectID.generate()
        let joined = try await m.record(at: "a", "member.joined", Self.member, subject: subject.text)
        let changed = try await m.record(at: "b", "member.details-changed", .object(["phone": .string("+44 114 496 0000")]), subject: subject.text)

        // One sync each way, from the command line (the serving hub stops while its operator syncs).
        m.stop("b")
        let toB = try Movement.cli(["sync", "--peer", m.url("a"), "--data-dir", m.dir("b")])
        #expect(toB.contains("subject keys: received 1 from \(m.origin("a"))"), "\(toB)")
        try m.start("b", ["--no-sync"])
        m.stop("a")
        let toA = try Movement.cli(["sync", "--peer", m.url("b"), "--data-dir", m.dir("a")])
        // b offers both keys; a already holds its own.
        #expect(toA.contains("subject keys: received 1 from \(m.origin("b"))"), "\(toA)")
        let again = try Movement.cli(["sync", "--peer", m.url("b"), "--data-dir", m.dir("a")])
        #expect(again.contains("up to date"), "\(again)")
        m.stop("b")

        for hub in ["a", "b"] {
            #expect(try Movement.cli(["show", joined, "--reveal", "--data-dir", m.dir(hub)]).contains("Ada Lovelace"), "\(hub)")
            #expect(try Movement.cli(["show", changed, "--reveal", "--data-dir", m.dir(hub)]).contains("+44 114 496 0000"), "\(hub)")
        }
    }
}
