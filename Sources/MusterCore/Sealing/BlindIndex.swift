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
        email.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping.lowercased()
    }

    /// The index of an e-mail address, 64 lowercase hex digits.
    public func email(_ email: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(BlindIndex.normalise(email: email).utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}
