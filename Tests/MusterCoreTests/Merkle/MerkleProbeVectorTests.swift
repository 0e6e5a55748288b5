import Foundation
import MusterCore
import MusterTesting
import Testing

/// The transparency-dev/merkle golden probes: good and corrupted proofs, each with `wantErr`.
@Suite struct MerkleProbeVectorTests {
    struct InclusionProbe: Decodable {
        var leafIdx: UInt64
        var treeSize: UInt64
        var root: String
        var leafHash: String
        var proof: [String]?
        var desc: String
        var wantErr: Bool
    }

    struct ConsistencyProbe: Decodable {
        var size1: UInt64
        var size2: UInt64
        var root1: String
        var root2: String
        var proof: [String]?
        var desc: String
        var wantErr: Bool
    }

    /// Parses every hash; a field of the wrong length (the probes' garbage) is a rejection.
    static func verify(_ probe: InclusionProbe) -> Bool {
        guard let root = try? MerkleHash(base64: probe.root),
            let leaf = try? MerkleHash(base64: probe.leafHash),
            let hashes = try? (probe.proof ?? []).map({ try MerkleHash(base64: $0) })
        else { return false }
        let proof = InclusionProof(leafIndex: probe.leafIdx, treeSize: probe.treeSize, hashes: hashes)
        return proof.verify(leafHash: leaf, rootHash: root).isValid
    }

    static func verify(_ probe: ConsistencyProbe) -> Bool {
        guard let root1 = try? MerkleHash(base64: probe.root1),
            let root2 = try? MerkleHash(base64: probe.root2),
            let hashes = try? (probe.proof ?? []).map({ try MerkleHash(base64: $0) })
        else { return false }
        let proof = ConsistencyProof(oldSize: probe.size1, newSize: probe.size2, hashes: hashes)
        return proof.verify(oldRoot: root1, newRoot: root2).isValid
    }

    @Test func everyInclusionProbeAgreesWithWantErr() throws {
        let files = try MerkleTestSupport.probeFiles("inclusion")
        #expect(!files.isEmpty)
        var checked = 0
        for file in files {
            let probe = try MerkleTestSupport.decode(InclusionProbe.self, file)
            #expect(Self.verify(probe) == !probe.wantErr, "\(file): \(probe.desc)")
            checked += 1
        }
        #expect(checked == files.count)
    }

    /// The one probe where Muster is deliberately stricter than transparency-dev: equal sizes (1)
    /// with byte-equal 12-byte "roots". Go compares the roots as opaque bytes; Muster's roots are
    /// typed 32-byte hashes, so a 12-byte root is rejected at parsing.
    static let stricterThanUpstream = "transparency-dev-merkle/consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"

    @Test func everyConsistencyProbeAgreesWithWantErr() throws {
        let files = try MerkleTestSupport.probeFiles("consistency")
        #expect(files.contains(Self.stricterThanUpstream))
        var checked = 0
        for file in files {
            let probe = try MerkleTestSupport.decode(ConsistencyProbe.self, file)
            if file == Self.stricterThanUpstream {
                #expect(!probe.wantErr && probe.root1 == probe.root2 && probe.size1 == probe.size2)
                #expect(throws: MerkleError(.invalidHashLength, "")) { try MerkleHash(base64: probe.root1) }
                #expect(!Self.verify(probe))
            } else {
                #expect(Self.verify(probe) == !probe.wantErr, "\(file): \(probe.desc)")
            }
            checked += 1
        }
        #expect(checked == files.count)
    }

    @Test func equalSizesNeedEqualRootsAndAnEmptyProof() {
        let root = MerkleHash.leafHash([UInt8]())
        let other = MerkleHash.emptyTreeRoot
        #expect(ConsistencyProof(oldSize: 1, newSize: 1, hashes: []).verify(oldRoot: root, newRoot: root) == .valid)
        #expect(!ConsistencyProof(oldSize: 1, newSize: 1, hashes: []).verify(oldRoot: root, newRoot: other).isValid)
        #expect(
            ConsistencyProof(oldSize: 5, newSize: 5, hashes: [root]).verify(oldRoot: root, newRoot: root)
                == .invalid(.nonEmptyProofForEqualSizes)
        )
    }

    @Test func probeCountMatchesTheFilesOnDisk() throws {
        let inclusion = try MerkleTestSupport.probeFiles("inclusion")
        let consistency = try MerkleTestSupport.probeFiles("consistency")
        // Count independently of the enumerator used above, with a plain recursive listing.
        func countJSON(_ url: URL) throws -> Int {
            var total = 0
            for item in try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: [.isDirectoryKey]) {
                if try item.resourceValues(forKeys: [.isDirectoryKey]).isDirectory == true {
                    total += try countJSON(item)
                } else if item.pathExtension == "json" {
                    total += 1
                }
            }
            return total
        }
        let base = Vectors.directory.appendingPathComponent("transparency-dev-merkle")
        let onDisk = try countJSON(base.appendingPathComponent("inclusion"))
            + countJSON(base.appendingPathComponent("consistency"))
        #expect(inclusion.count + consistency.count == onDisk)
        #expect(onDisk == 196)
    }

    @Test func emptyOldTreeIsInvalidEvenWithEqualSizes() {
        let proof = ConsistencyProof(oldSize: 0, newSize: 0, hashes: [])
        let root = MerkleHash.emptyTreeRoot
        #expect(proof.verify(oldRoot: root, newRoot: root) == .invalid(.emptyOldTree))
    }
}
