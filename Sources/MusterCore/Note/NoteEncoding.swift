import Crypto
import Foundation

/// The small encodings shared by notes, keys, checkpoints and proofs: strict base64, key ids,
/// key names and decimal numbers. All parsers here are strict so that formatting a parsed value
/// gives back the exact input.
enum NoteEncoding {
    /// Standard base64 (RFC 4648 §4) with padding.
    static func base64(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Decodes standard padded base64, rejecting whitespace and non-canonical encodings (those that
    /// would not re-encode to the same text), so that a parsed value formats back to its input.
    static func decodeBase64(_ text: some StringProtocol) -> [UInt8]? {
        let string = String(text)
        guard let data = Data(base64Encoded: string), data.base64EncodedString() == string else {
            return nil
        }
        return [UInt8](data)
    }

    /// A key id as eight lowercase hexadecimal digits.
    static func hex(_ keyID: UInt32) -> String {
        let digits = String(keyID, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Parses exactly eight lowercase hexadecimal digits.
    static func parseHex(_ text: some StringProtocol) -> UInt32? {
        guard text.utf8.count == 8,
            text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        return UInt32(text, radix: 16)
    }

    /// The C2SP key id: the first four bytes, big-endian, of
    /// SHA-256(name || 0x0A || type || public key).
    static func keyID(name: String, type: UInt8, publicKey: [UInt8]) -> UInt32 {
        var hasher = SHA256()
        hasher.update(data: Array(name.utf8))
        hasher.update(data: [0x0A, type])
        hasher.update(data: publicKey)
        return readUInt32(Array(hasher.finalize().prefix(4)), at: 0)
    }

    /// Whether a key name is allowed: non-empty, no Unicode white space, no `+`, no control
    /// characters (a name must fit on a note's signature line).
    static func isValidKeyName(_ name: some StringProtocol) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                !$0.properties.isWhitespace && $0 != "+" && $0.value >= 0x20 && $0.value != 0x7F
            }
    }

    /// Whether text has no ASCII control characters other than newline (signed-note rule).
    static func hasOnlyAllowedCharacters(_ text: some StringProtocol) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 || $0 == 0x0A }
    }

    /// Parses an ASCII decimal with no sign and no leading zeros (except "0") that fits in UInt64.
    static func parseDecimal(_ text: some StringProtocol) -> UInt64? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        guard bytes.count == 1 || bytes[0] != 0x30 else { return nil }
        return UInt64(String(decoding: bytes, as: UTF8.self))
    }

    /// Reads a big-endian UInt32.
    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Reads a big-endian UInt64.
    static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        bytes[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Big-endian bytes of a UInt32.
    static func bytes(_ value: UInt32) -> [UInt8] {
        (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// Big-endian bytes of a UInt64.
    static func bytes(_ value: UInt64) -> [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// Splits text into lines at "\n" (byte-wise, so "\r\n" is never one separator); the text must
    /// end with "\n", which ends the last line. Returns nil if it does not.
    static func lines(_ text: Substring) -> [Substring]? {
        guard text.utf8.last == 0x0A else { return nil }
        var result: [Substring] = []
        var start = text.startIndex
        var index = text.utf8.startIndex
        while index < text.utf8.endIndex {
            if text.utf8[index] == 0x0A {
                result.append(text[start..<index])
                start = text.utf8.index(after: index)
            }
            index = text.utf8.index(after: index)
        }
        return result
    }
}
