import Foundation
import MusterCore
import Testing

@Suite struct NoteEd25519Tests {
    struct RFC8032File: Decodable {
        struct Case: Decodable {
            let name: String
            let secretKey: String
            let publicKey: String
            let message: String
            let signature: String
        }
        let tests: [Case]
    }

    struct WycheproofFile: Decodable {
        struct Group: Decodable {
            struct PublicKey: Decodable { let pk: String }
            struct Case: Decodable {
                let tcId: Int
                let comment: String
                let flags: [String]
                let msg: String
                let sig: String
                let result: String
            }
            let publicKey: PublicKey
            let tests: [Case]
        }
        let numberOfTests: Int
        let testGroups: [Group]
    }

    @Test func rfc8032SectionSevenOne() throws {
        let file = try NoteVectors.decode(RFC8032File.self, "rfc8032/ed25519-rfc8032-section7.1.json")
        #expect(file.tests.count == 5)
        for test in file.tests {
            let seed = NoteVectors.bytes(hex: test.secretKey)
            let message = NoteVectors.bytes(hex: test.message)
            let publicKey = try Ed25519.publicKey(seed: seed)
            #expect(publicKey == NoteVectors.bytes(hex: test.publicKey), "\(test.name): public key")
            let signature = try Ed25519.signature(for: message, seed: seed)
            #expect(signature == NoteVectors.bytes(hex: test.signature), "\(test.name): signature bytes")
            #expect(Ed25519.isValidSignature(signature, for: message, publicKey: publicKey), "\(test.name)")
            #expect(!Ed25519.isValidSignature(signature, for: message + [0], publicKey: publicKey))
        }
    }

    @Test func wycheproofAllCasesAgree() throws {
        let file = try NoteVectors.decode(WycheproofFile.self, "c2sp-wycheproof/ed25519_test.json")
        var count = 0
        for group in file.testGroups {
            let publicKey = NoteVectors.bytes(hex: group.publicKey.pk)
            for test in group.tests {
                count += 1
                let valid = Ed25519.isValidSignature(
                    NoteVectors.bytes(hex: test.sig),
                    for: NoteVectors.bytes(hex: test.msg),
                    publicKey: publicKey
                )
                #expect(valid == (test.result == "valid"), "tcId \(test.tcId) \(test.flags) \(test.comment)")
            }
        }
        #expect(count == file.numberOfTests)
        #expect(count == 151)
    }

    @Test func wrongLengthsAreInvalidNotErrors() throws {
        let seed = [UInt8](repeating: 7, count: 32)
        let publicKey = try Ed25519.publicKey(seed: seed)
        let signature = try Ed25519.signature(for: [1, 2, 3], seed: seed)
        #expect(Ed25519.isValidSignature(signature, for: [1, 2, 3], publicKey: publicKey))
        #expect(!Ed25519.isValidSignature(signature.dropLast(), for: [1, 2, 3], publicKey: publicKey))
        #expect(!Ed25519.isValidSignature(signature, for: [1, 2, 3], publicKey: publicKey.dropLast()))
        #expect(throws: NoteError.self) { try Ed25519.publicKey(seed: [UInt8](repeating: 1, count: 31)) }
    }
}
