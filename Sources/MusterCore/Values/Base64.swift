import Foundation

/// Strict standard base64 (RFC 4648 §4, padded): the only spelling accepted is the one that
/// re-encoding gives, so an entry's bytes have one reading and a reading one spelling.
///
/// It reads the text's bytes in one pass, without a round trip through an encoder: every group
/// is four characters of the standard alphabet, `=` pads only the last group (one or two of
/// them), and the bits a padded group leaves over are zero (`QQ==`, never `QR==`).
enum StrictBase64 {
    static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode($0) }
    }

    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(text.count / 4 * 3 - padding(text))
        return walk(text, { out.append($0) }) ? out : nil
    }

    /// How many bytes `text` decodes to, when it is strict standard base64 (nil otherwise):
    /// the checks of ``decode(_:)-(UnsafeBufferPointer<UInt8>)``, without making the bytes.
    static func decodedCount(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        var count = 0
        return walk(text, { _ in count += 1 }) ? count : nil
    }

    private static func padding(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        text.count == 0 ? 0 : (text[text.count - 1] == pad ? 1 : 0) + (text[text.count - 2] == pad ? 1 : 0)
    }

    /// Checks `text` and hands each decoded byte to `out`, in order; false (part way) where it is
    /// not strict standard base64.
    @inline(__always)
    private static func walk(_ text: UnsafeBufferPointer<UInt8>, _ out: (UInt8) -> Void) -> Bool {
        guard text.count % 4 == 0 else { return false }
        // The table is taken once, not at each character (each read of the static had checked
        // that it was initialised, and the array's bounds).
        return sextets.withUnsafeBufferPointer { walk(text, $0, out) }
    }

    @inline(__always)
    private static func walk(_ text: UnsafeBufferPointer<UInt8>, _ sextets: UnsafeBufferPointer<UInt8>, _ out: (UInt8) -> Void) -> Bool {
        let padding = padding(text)
        var i = 0
        while i < text.count {
            let last = i + 4 == text.count
            let a = sextets[Int(text[i])], b = sextets[Int(text[i + 1])]
            guard a < 64, b < 64 else { return false }
            if last, padding > 0 {
                if padding == 2 {
                    guard b & 0x0F == 0 else { return false }
                    out(a << 2 | b >> 4)
                } else {
                    let c = sextets[Int(text[i + 2])]
                    guard c < 64, c & 0x03 == 0 else { return false }
                    out(a << 2 | b >> 4)
                    out(b << 4 | c >> 2)
                }
                return true
            }
            let c = sextets[Int(text[i + 2])], d = sextets[Int(text[i + 3])]
            guard c < 64, d < 64 else { return false }
            out(a << 2 | b >> 4)
            out(b << 4 | c >> 2)
            out(c << 6 | d)
            i += 4
        }
        return true
    }

    private static let pad = UInt8(ascii: "=")

    /// Each byte's value in the standard alphabet, or 0xFF.
    private static let sextets: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()
}
