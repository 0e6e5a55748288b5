public import Crypto
import Foundation

/// A keyed blind index: HMAC-SHA-256 of a normalised e-mail address under a movement-wide key, so
/// hubs can find duplicate members without anyone seeing e-mails in the log.
public struct BlindIndex: Sendable {
    /// SHA-256 after the key's inner and outer pads (RFC 2104 §2): every index starts from copies
    /// of these, so the key's two blocks are hashed once per index value, not once per address.
    private let inner: SHA256
    private let outer: SHA256

    /// An index under the movement's blind-index key (32 bytes).
    public init(key: SymmetricKey) {
        // RFC 2104: a key longer than the block is hashed first; a shorter one is padded with zeros.
        var block = key.withUnsafeBytes { Array($0) }
        if block.count > SHA256.blockByteCount { block = Array(SHA256.hash(data: block)) }
        block += [UInt8](repeating: 0, count: SHA256.blockByteCount - block.count)
        var inner = SHA256(), outer = SHA256()
        inner.update(data: block.map { $0 ^ 0x36 })
        outer.update(data: block.map { $0 ^ 0x5C })
        (self.inner, self.outer) = (inner, outer)
    }

    /// The address lower-cased, trimmed and NFC-normalised (the form two spellings of one address
    /// share), as UTF-8; an ASCII address bytewise, without a string made for it.
    private static func normalisedBytes(_ email: String) -> [UInt8] {
        var email = email
        if let ascii = email.withUTF8({ asciiNormalised($0) }) { return ascii }
        return Array(email.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping.lowercased().utf8)
    }

    /// An ASCII address trimmed and lower-cased bytewise (ASCII is already NFC); nil for any other.
    /// The ASCII characters Foundation trims as `.whitespacesAndNewlines` are tab, LF, VT, FF, CR
    /// and space (a test holds the two to the same answer for every ASCII byte).
    private static func asciiNormalised(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        var start = 0, end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        var out = [UInt8]()
        out.reserveCapacity(end - start)
        for i in start..<end {
            let b = bytes[i]
            guard b < 0x80 else { return nil }
            out.append(b >= 0x41 && b <= 0x5A ? b + 0x20 : b)
        }
        return out  // the trimmed bytes are ASCII whitespace
    }

    /// The index of an e-mail address, 64 lowercase hex digits.
    public func email(_ email: String) -> String {
        let mac = code(Self.normalisedBytes(email))
        return String(unsafeUninitializedCapacity: 64) { out in
            let digits: StaticString = "0123456789abcdef"
            var i = 0
            for byte in mac {
                out[i] = digits.utf8Start[Int(byte >> 4)]
                out[i + 1] = digits.utf8Start[Int(byte & 0x0F)]
                i += 2
            }
            return 64
        }
    }

    /// HMAC-SHA-256 of `message` under the index's key.
    private func code(_ message: [UInt8]) -> SHA256.Digest {
        var inner = self.inner, outer = self.outer
        inner.update(data: message)
        outer.update(data: Array(inner.finalize()))
        return outer.finalize()
    }
}
