/// A 32-byte SHA-256 hash of a node in an RFC 9162 Merkle tree.
///
/// The bytes are held inline in four 64-bit words, so creating, copying and comparing a hash never
/// touches the heap. The words keep the bytes in their original order in memory; only
/// ``withUnsafeBytes(_:)`` and ``bytes`` expose them.
public struct MerkleHash: Sendable {
    /// The number of bytes in a hash.
    public static let byteCount = 32

    @usableFromInline
    internal var storage: (UInt64, UInt64, UInt64, UInt64)

    @inlinable
    internal init(storage: (UInt64, UInt64, UInt64, UInt64)) {
        self.storage = storage
    }

    /// Creates a hash from exactly 32 bytes in a raw buffer.
    /// - Throws: ``MerkleError/Code/invalidHashLength`` when the buffer is not 32 bytes long.
    public init(bytes buffer: UnsafeRawBufferPointer) throws {
        guard buffer.count == Self.byteCount else {
            throw MerkleError(.invalidHashLength, "a Merkle hash needs 32 bytes, got \(buffer.count)")
        }
        var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: buffer) }
        self.storage = storage
    }

    /// Creates a hash from a sequence of exactly 32 bytes, such as `[UInt8]` or `Data`.
    /// - Throws: ``MerkleError/Code/invalidHashLength`` when there are not exactly 32 bytes.
    public init(bytes: some Sequence<UInt8>) throws {
        let direct = try bytes.withContiguousStorageIfAvailable { buffer in
            try MerkleHash(bytes: UnsafeRawBufferPointer(buffer))
        }
        if let direct {
            self = direct
        } else {
            self = try MerkleHash(bytes: Array(bytes))
        }
    }

    /// The 32 bytes, as a new array.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// Calls `body` with the 32 bytes, without copying them to the heap.
    @inlinable
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try Swift.withUnsafeBytes(of: storage, body)
    }
}

extension MerkleHash: Hashable {
    /// Compares all 32 bytes.
    @inlinable
    public static func == (lhs: MerkleHash, rhs: MerkleHash) -> Bool {
        lhs.storage.0 == rhs.storage.0 && lhs.storage.1 == rhs.storage.1
            && lhs.storage.2 == rhs.storage.2 && lhs.storage.3 == rhs.storage.3
    }

    /// Feeds all 32 bytes to the hasher.
    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0)
        hasher.combine(storage.1)
        hasher.combine(storage.2)
        hasher.combine(storage.3)
    }
}

extension MerkleHash: CustomStringConvertible {
    /// The lowercase hex form.
    public var description: String {
        hex
    }
}
