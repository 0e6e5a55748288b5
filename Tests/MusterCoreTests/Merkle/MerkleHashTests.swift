import Foundation
import MusterCore
import Testing

/// The hash value type: encodings, lengths, RFC 9162 prefixes and error equality.
@Suite struct MerkleHashTests {
    @Test func emptyTreeRootIsSHA256OfNothing() {
        #expect(MerkleHash.emptyTreeRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func encodingsRoundTrip() throws {
        let hash = MerkleHash.leafHash(Array("hello world".utf8))
        #expect(try MerkleHash(hex: hash.hex) == hash)
        #expect(try MerkleHash(hex: hash.hex.uppercased()) == hash)
        #expect(try MerkleHash(base64: hash.base64) == hash)
        #expect(try MerkleHash(bytes: hash.bytes) == hash)
        #expect(try MerkleHash(bytes: Data(hash.bytes)) == hash)
        #expect(hash.withUnsafeBytes { Array($0) } == hash.bytes)
        #expect(hash.base64.count == 44)
        #expect(Set([hash, hash, MerkleHash.emptyTreeRoot]).count == 2)
        #expect(MemoryLayout<MerkleHash>.size == 32)
    }

    @Test(arguments: [0, 1, 31, 33, 64])
    func wrongLengthsAreRejected(count: Int) {
        #expect(throws: MerkleError(.invalidHashLength, "")) {
            try MerkleHash(bytes: [UInt8](repeating: 1, count: count))
        }
        #expect(throws: MerkleError(.invalidHashLength, "")) {
            try MerkleHash(base64: Data(repeating: 1, count: count).base64EncodedString())
        }
    }

    @Test func badTextIsRejected() {
        #expect(throws: MerkleError(.invalidHashEncoding, "")) { try MerkleHash(hex: String(repeating: "g", count: 64)) }
        #expect(throws: MerkleError(.invalidHashEncoding, "")) { try MerkleHash(hex: "00") }
        #expect(throws: MerkleError(.invalidHashEncoding, "")) { try MerkleHash(base64: "not base64!") }
    }

    @Test func domainSeparation() {
        // A leaf and an inner node over the same 64 bytes must differ (second-preimage defence).
        let a = MerkleHash.leafHash(Array("a".utf8))
        let b = MerkleHash.leafHash(Array("b".utf8))
        let node = MerkleHash.nodeHash(a, b)
        #expect(MerkleHash.leafHash(a.bytes + b.bytes) != node)
        #expect(MerkleHash.nodeHash(b, a) != node)
    }

    @Test func errorsCompareByCodeOnly() {
        let one = MerkleError(.missingNode, "one")
        let two = MerkleError(.missingNode, "two")
        #expect(one == two)
        #expect(one != MerkleError(.invalidArgument, "one"))
        #expect(one.description.contains("one"))
        #expect(one.fileID.hasSuffix("MerkleHashTests.swift"))
    }
}
