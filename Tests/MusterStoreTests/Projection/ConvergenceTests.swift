import Foundation
import MusterCore
import MusterDemo
@testable import MusterStore
import Testing

/// Two hubs holding the same entries hold byte-identical read models, whatever order the entries
/// arrived in (each origin in its own order) and however the catch-ups fell between arrivals.
@Suite struct ConvergenceTests {
    static let fixture = Result { try MultiOriginFixture() }

    @Test func everyInterleavingGivesTheSameDigest() throws {
        let fixture = try Self.fixture.get()
        var rng = SeededGenerator(seed: 99)
        var digests: Set<String> = [], reference: String?
        for round in 0..<12 {
            let replica = try ReplicaStore()
            let order = fixture.interleaving(using: &rng)
            // Arrive in random chunks, catching up between some of them (the incremental path).
            var i = 0
            while i < order.count {
                let n = Int.random(in: 1...max(1, order.count / 6), using: &rng)
                try replica.arrive(order[i..<min(order.count, i + n)])
                if Bool.random(using: &rng) { try replica.engine.catchUp() }
                i += n
            }
            try replica.engine.catchUp()
            let digest = try replica.digest()
            digests.insert(digest)
            if round == 0 {
                reference = digest
                // A full rebuild of the same entries agrees with the incremental result.
                _ = try replica.engine.rebuild()
                #expect(try replica.digest() == digest)
                #expect(try replica.count("SELECT COUNT(*) FROM rm_member") > 50)
                #expect(try replica.count("SELECT COUNT(*) FROM rm_member WHERE constituency IS NOT NULL") > 50)
                #expect(try replica.count("SELECT COUNT(*) FROM rm_pledge WHERE seat IS NULL") == 0)
                #expect(try replica.count("SELECT COUNT(*) FROM rm_donation") > 10)
                #expect(try replica.count("SELECT COUNT(*) FROM pj_donations_void") > 0)
            }
        }
        #expect(digests.count == 1, "digests differ between interleavings: \(digests)")
        #expect(reference != nil)
    }

    @Test func theDigestSeesAMissingEntry() throws {
        let fixture = try Self.fixture.get()
        var rng = SeededGenerator(seed: 5)
        let order = fixture.interleaving(using: &rng)
        let full = try ReplicaStore(), partial = try ReplicaStore()
        try full.arrive(order)
        // Leave out one donation: its row, and the register built on it, must differ.
        let dropped = order.firstIndex { $0.envelope.type == DonationReceived.schema.type }!
        try partial.arrive(order.enumerated().filter { $0.offset != dropped }.map(\.element))
        try full.engine.catchUp(); try partial.engine.catchUp()
        let a = try full.engine.digests(), b = try partial.engine.digests()
        #expect(a.first { $0.name == "donations" }!.hex != b.first { $0.name == "donations" }!.hex)
        #expect(a.first { $0.name == "members" }!.hex == b.first { $0.name == "members" }!.hex)
    }
}
