import Crypto
import MusterCore
import Testing

/// The pooled secure random source hands out fresh bytes on every call: across the pool's
/// refills, from both cores at once, and for requests too large for the pool.
struct SecureRandomTests {
    /// The fraction of one bits; 0.5 for random bytes.
    private func ones(_ draws: [[UInt8]]) -> Double {
        let bits = draws.reduce(0) { $0 + $1.reduce(0) { $0 + $1.nonzeroBitCount } }
        return Double(bits) / Double(draws.reduce(0) { $0 + $1.count } * 8)
    }

    @Test(arguments: [1, 10, 12, 32, 1_024])
    func drawsAreFreshAcrossRefills(size: Int) {
        // 64 KiB or more in all: the 4 KiB pool is refilled many times.
        let count = max(2_000, 65_536 / size)
        let draws = (0..<count).map { _ in SecureRandom.bytes(size) }
        #expect(draws.allSatisfy { $0.count == size })
        if size >= 10 {
            #expect(Set(draws).count == count, "a draw of \(size) bytes repeated")
            let zeros = draws.count { $0.allSatisfy { $0 == 0 } }
            #expect(zeros == 0, "draws of \(size) bytes that were all zero")
        }
        // 2,000 × 8 bits or more: 0.5 ± 0.02 is more than ten standard deviations.
        #expect(abs(ones(draws) - 0.5) < 0.02)
    }

    @Test func largeRequestsComeStraightFromTheKernel() {
        let a = SecureRandom.bytes(5_000), b = SecureRandom.bytes(5_000)
        #expect(a != b)
        #expect(abs(ones([a, b]) - 0.5) < 0.02)
    }

    @Test func concurrentDrawsNeverShareBytes() async {
        let draws = await withTaskGroup(of: [[UInt8]].self) { group in
            for _ in 0..<4 { group.addTask { (0..<3_000).map { _ in SecureRandom.bytes(16) } } }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(draws.count == 12_000)
        #expect(Set(draws).count == 12_000)
    }

    @Test func keysNoncesAndIDsDiffer() {
        let keys = (0..<1_000).map { _ in SecureRandom.key256().withUnsafeBytes { Array($0) } }
        #expect(keys.allSatisfy { $0.count == 32 })
        #expect(Set(keys).count == keys.count)
        let nonces = (0..<1_000).map { _ in Array(SecureRandom.gcmNonce()) }
        #expect(nonces.allSatisfy { $0.count == 12 })
        #expect(Set(nonces).count == nonces.count)
        var generator = SecureRandom.Generator()
        let words = (0..<1_000).map { _ in generator.next() }
        #expect(Set(words).count == words.count)
        let ids = (0..<1_000).map { _ in EventID.generate(unixMillis: 1_700_000_000_000) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.unixMillis == 1_700_000_000_000 })
    }
}
