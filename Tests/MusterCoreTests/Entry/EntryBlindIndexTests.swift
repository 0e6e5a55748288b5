import Crypto
import Foundation
import MusterCore
import Testing

/// The blind index must be exactly HMAC-SHA-256 of the normalised address, so every hub (and any
/// other implementation) finds the same duplicates. Known answers from Python's hmac module.
@Suite struct EntryBlindIndexTests {
    let index = BlindIndex(key: SymmetricKey(data: [UInt8](repeating: 7, count: 32)))

    @Test func knownAnswersFromAnIndependentHMAC() {
        #expect(index.email("ada@example.org") == "0d178c15a364d3f7534ef6840d33a7f401ac9838bb694f06de064b211508c06b")
        // NFC then lower case: a decomposed "ë" indexes as the precomposed one.
        #expect(index.email("Zoe\u{308}@example.org") == "af44fc53bc4a5c9c83bfd9704bd2368c0457e0c9dd5cbca6a0a87b27e690b188")
    }

    @Test(arguments: ["ada@example.org", " Ada@Example.ORG ", "ADA@EXAMPLE.ORG\n"])
    func spellingsOfOneAddressShareAnIndex(email: String) {
        #expect(index.email(email) == index.email("ada@example.org"))
    }

    @Test func differentAddressesOrKeysDiffer() {
        #expect(index.email("ada@example.org") != index.email("ada@example.com"))
        let other = BlindIndex(key: SymmetricKey(data: [UInt8](repeating: 8, count: 32)))
        #expect(other.email("ada@example.org") != index.email("ada@example.org"))
    }
}

/// The index keeps SHA-256 past the key's pads and normalises ASCII addresses bytewise; both are
/// held here to swift-crypto's HMAC over Foundation's normalisation, the form the index is defined by.
@Suite struct EntryBlindIndexAgainstHMACTests {
    static func reference(_ email: String, key: SymmetricKey) -> String {
        let normal = email.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping.lowercased()
        return HMAC<SHA256>.authenticationCode(for: Array(normal.utf8), using: key).map { String(format: "%02x", $0) }.joined()
    }

    @Test func everyASCIIByteAroundAnAddressIsTrimmedAsFoundationTrimsIt() {
        let key = SymmetricKey(data: [UInt8](repeating: 3, count: 32))
        let index = BlindIndex(key: key)
        for byte in UInt8(0)..<0x80 {
            let c = String(UnicodeScalar(byte))
            for email in [c + "Ada@Example.org", "ada@example.org" + c, c + c + "X" + c, c, c + c] {
                #expect(index.email(email) == Self.reference(email, key: key), "byte \(byte) in \(email.debugDescription)")
            }
        }
    }

    @Test func randomKeysAndAddressesAgreeWithHMAC() {
        var rng = SystemRandomNumberGenerator()
        // Keys shorter than, as long as and longer than SHA-256's 64-byte block (a longer key is hashed first).
        for keyLength in [0, 1, 16, 32, 63, 64, 65, 100, 200] {
            let key = SymmetricKey(data: (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &rng) })
            let index = BlindIndex(key: key)
            let alphabet = Array("abcXYZ019.@+-_ \t\u{A0}é\u{301}ÉΣ\u{2028}😀")
            for length in [0, 1, 5, 20, 55, 56, 63, 64, 65, 119, 200] {
                let email = String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
                #expect(index.email(email) == Self.reference(email, key: key), "key of \(keyLength) bytes, \(email.debugDescription)")
            }
        }
    }
}
