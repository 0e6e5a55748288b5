/// The C2SP tlog-tiles entry bundle encoding: up to 256 entries, each a big-endian `uint16`
/// length followed by that many bytes.
///
/// Entry bundles are served at ``TlogTile/entryBundlePath``; bundle `N` of width `W` holds the
/// entries whose leaf hashes form level-0 tile `N` of width `W`.
public enum EntryBundle {
    /// The largest entry a bundle can hold (the `uint16` length prefix).
    public static let maximumEntryLength = Int(UInt16.max)

    /// Encodes entries into one bundle.
    /// - Throws: ``MerkleError/Code/malformedEntryBundle`` for more than 256 entries or an entry
    ///   longer than 65,535 bytes.
    public static func encode(_ entries: [[UInt8]]) throws -> [UInt8] {
        guard entries.count <= TlogTile.fullWidth else {
            throw MerkleError(.malformedEntryBundle, "a bundle holds at most 256 entries, got \(entries.count)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.reduce(0) { $0 + 2 + $1.count })
        for (position, entry) in entries.enumerated() {
            guard entry.count <= maximumEntryLength else {
                throw MerkleError(
                    .malformedEntryBundle,
                    "entry \(position) is \(entry.count) bytes; a bundle entry holds at most 65535"
                )
            }
            bytes.append(UInt8(entry.count >> 8))
            bytes.append(UInt8(entry.count & 0xff))
            bytes.append(contentsOf: entry)
        }
        return bytes
    }

    /// Decodes a bundle into its entries.
    /// - Throws: ``MerkleError/Code/malformedEntryBundle`` when a length prefix or an entry is
    ///   truncated, or when there are more than 256 entries.
    public static func decode(_ bytes: [UInt8]) throws -> [[UInt8]] {
        var entries: [[UInt8]] = []
        entries.reserveCapacity(TlogTile.fullWidth)
        var offset = 0
        while offset < bytes.count {
            guard entries.count < TlogTile.fullWidth else {
                throw MerkleError(.malformedEntryBundle, "bundle holds more than 256 entries")
            }
            guard bytes.count - offset >= 2 else {
                throw MerkleError(.malformedEntryBundle, "length prefix of entry \(entries.count) truncated at byte \(offset)")
            }
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            offset += 2
            guard bytes.count - offset >= length else {
                throw MerkleError(
                    .malformedEntryBundle,
                    "entry \(entries.count) needs \(length) bytes at byte \(offset), \(bytes.count - offset) remain"
                )
            }
            // Copied from the buffer, not a slice: a slice would count a reference to `bytes` per entry.
            entries.append(bytes.withUnsafeBufferPointer { Array(UnsafeBufferPointer(rebasing: $0[offset..<(offset + length)])) })
            offset += length
        }
        return entries
    }
}
