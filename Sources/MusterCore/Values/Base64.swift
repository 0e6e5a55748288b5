import Foundation

/// Strict standard base64 (RFC 4648 §4, padded): the only spelling accepted is the one that
/// re-encoding gives, so an entry's bytes have one reading and a reading one spelling.
enum StrictBase64 {
    static func decode(_ text: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: text), data.base64EncodedString() == text else { return nil }
        return Array(data)
    }
}
