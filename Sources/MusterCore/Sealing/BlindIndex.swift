public import Crypto
import Foundation

/// A keyed blind index: HMAC-SHA-256 of a normalised e-mail address under a movement-wide key, so
/// hubs can find duplicate members without anyone seeing e-mails in the log.
public struct BlindIndex: Sendable {
    private let key: SymmetricKey

    /// An index under the movement's blind-index key (32 bytes).
    public init(key: SymmetricKey) { self.key = key }

    /// Lower-cased, trimmed, NFC-normalised: the form two spellings of one address share.
    public static func normalise(email: String) -> String {
        let trimmed = email.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.utf8.allSatisfy({ $0 < 0x80 }) {  // ASCII: already NFC; lower-case bytewise
            return String(decoding: trimmed.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
        }
        return trimmed.precomposedStringWithCanonicalMapping.lowercased()
    }

    /// The index of an e-mail address, 64 lowercase hex digits.
    public func email(_ email: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(BlindIndex.normalise(email: email).utf8), using: key)
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in mac {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
