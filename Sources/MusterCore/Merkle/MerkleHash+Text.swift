import Foundation

extension MerkleHash {
    /// Parses 64 hex digits (either case).
    /// - Throws: ``MerkleError/Code/invalidHashEncoding`` for a wrong length or a non-hex digit.
    public init(hex: some StringProtocol) throws {
        let utf8 = hex.utf8
        guard utf8.count == 2 * Self.byteCount else {
            throw MerkleError(.invalidHashEncoding, "a hex Merkle hash needs 64 digits, got \(utf8.count)")
        }
        var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var valid = true
        Swift.withUnsafeMutableBytes(of: &storage) { out in
            var position = 0
            var high: UInt8 = 0
            for (offset, character) in utf8.enumerated() {
                guard let nibble = Self.nibble(character) else {
                    valid = false
                    return
                }
                if offset % 2 == 0 {
                    high = nibble
                } else {
                    out[position] = high << 4 | nibble
                    position += 1
                }
            }
        }
        guard valid else {
            throw MerkleError(.invalidHashEncoding, "a hex Merkle hash holds a character that is not a hex digit")
        }
        self.init(storage: storage)
    }

    /// Parses standard (RFC 4648 §4, padded) base64 of exactly 32 bytes.
    /// - Throws: ``MerkleError/Code/invalidHashEncoding`` for text that is not base64, or
    ///   ``MerkleError/Code/invalidHashLength`` when it decodes to other than 32 bytes.
    public init(base64: some StringProtocol) throws {
        guard let data = Data(base64Encoded: String(base64)) else {
            throw MerkleError(.invalidHashEncoding, "a base64 Merkle hash is not valid standard base64")
        }
        try self.init(bytes: data)
    }

    /// The 64 lowercase hex digits.
    public var hex: String {
        let digits: StaticString = "0123456789abcdef"
        return withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: 2 * Self.byteCount) { out in
                digits.withUTF8Buffer { table in
                    for (i, byte) in bytes.enumerated() {
                        out[2 * i] = table[Int(byte >> 4)]
                        out[2 * i + 1] = table[Int(byte & 0x0f)]
                    }
                }
                return 2 * Self.byteCount
            }
        }
    }

    /// The standard, padded base64 form (44 characters), as in C2SP checkpoints.
    public var base64: String {
        withUnsafeBytes { Data($0).base64EncodedString() }
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
