import Crypto
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
