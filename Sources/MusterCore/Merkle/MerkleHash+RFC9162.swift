import Crypto
public import Foundation

extension MerkleHash {
    /// The root of the empty tree: SHA-256 of no bytes (RFC 9162 §2.1.1).
    public static let emptyTreeRoot: MerkleHash = finish(SHA256())

    /// The leaf hash of an entry: SHA-256(0x00 ‖ entry) (RFC 9162 §2.1.1).
    /// - Parameter entry: The entry's exact bytes (for Muster, its canonical JSON).
    @inlinable
    public static func leafHash(_ entry: some ContiguousBytes) -> MerkleHash {
        entry.withUnsafeBytes { leafHash(bytes: $0) }
    }

    /// The leaf hash of the entry in a raw buffer: SHA-256(0x00 ‖ entry).
    public static func leafHash(bytes entry: UnsafeRawBufferPointer) -> MerkleHash {
        var hasher = SHA256()
        var prefix: UInt8 = 0x00
        Swift.withUnsafeBytes(of: &prefix) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: entry)
        return finish(hasher)
    }

    /// The hash of an inner node: SHA-256(0x01 ‖ left ‖ right) (RFC 9162 §2.1.1).
    public static func nodeHash(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        // Both children as one contiguous 64-byte value on the stack: two digest updates, no heap.
        var children = (left.storage, right.storage)
        var prefix: UInt8 = 0x01
        var hasher = SHA256()
        Swift.withUnsafeBytes(of: &prefix) { hasher.update(bufferPointer: $0) }
        Swift.withUnsafeBytes(of: &children) { hasher.update(bufferPointer: $0) }
        return finish(hasher)
    }

    private static func finish(_ hasher: SHA256) -> MerkleHash {
        let digest = hasher.finalize()
        var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &storage) { out in
            digest.withUnsafeBytes { out.copyMemory(from: $0) }
        }
        return MerkleHash(storage: storage)
    }
}
