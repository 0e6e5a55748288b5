@preconcurrency import Crypto
public import Foundation

/// Pure Ed25519 (RFC 8032) over raw key bytes, with verification as strict as the reference
/// verifiers Muster is tested against.
///
/// Every Ed25519 operation in Muster goes through here so that one verifier decides what a valid
/// signature is: it agrees with all 151 Project Wycheproof Ed25519 cases (as pyca/cryptography and
/// PyNaCl do). Keys are raw bytes, so the values holding them stay `Sendable`.
public enum Ed25519 {
    /// The size of a seed (private key), a public key.
    public static let keyByteCount = 32
    /// The size of a signature (R || S).
    public static let signatureByteCount = 64

    /// The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian.
    private static let groupOrder: [UInt8] = [
        0xED, 0xD3, 0xF5, 0x5C, 0x1A, 0x63, 0x12, 0x58, 0xD6, 0x9C, 0xF7, 0xA2, 0xDE, 0xF9, 0xDE, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    ]

    /// Derives the public key of a 32-byte seed.
    /// - Throws: ``NoteError`` if the seed is not 32 bytes.
    public static func publicKey(seed: some DataProtocol) throws(NoteError) -> [UInt8] {
        try [UInt8](privateKey(seed: seed).publicKey.rawRepresentation)
    }

    /// Signs a message with a 32-byte seed. Signatures are deterministic (RFC 8032 §5.1.6).
    /// - Throws: ``NoteError`` if the seed is not 32 bytes or the library fails.
    public static func signature(
        for message: some DataProtocol,
        seed: some DataProtocol
    ) throws(NoteError) -> [UInt8] {
        try SigningKey(seed: seed).signature(for: message)
    }

    /// A private key derived once from its seed, for a signer that signs again and again (a log's
    /// key signs a checkpoint on every commit). Deriving it is a scalar multiplication, as much
    /// work as the signature: signing from the seed each time had doubled the cost.
    ///
    /// `@unchecked Sendable`: the key is immutable once made, and signing only reads it.
    final class SigningKey: @unchecked Sendable {
        private let key: Curve25519.Signing.PrivateKey

        init(seed: some DataProtocol) throws(NoteError) { key = try privateKey(seed: seed) }

        /// The 32-byte public key.
        var publicKey: [UInt8] { [UInt8](key.publicKey.rawRepresentation) }

        /// Signs `message` (deterministic, RFC 8032 §5.1.6).
        func signature(for message: some DataProtocol) throws(NoteError) -> [UInt8] {
            do {
                return try [UInt8](key.signature(for: message))
            } catch {
                throw NoteError(.cryptography, "Ed25519 signing failed")
            }
        }
    }

    /// Whether `signature` is a valid Ed25519 signature of `message` under `publicKey`.
    ///
    /// Returns `false`, never throws, for wrong lengths, a non-canonical scalar S (S ≥ L, the
    /// malleability case) and any encoding the underlying verifier rejects.
    public static func isValidSignature(
        _ signature: some DataProtocol,
        for message: some DataProtocol,
        publicKey: some DataProtocol
    ) -> Bool {
        let signature = [UInt8](signature)
        guard signature.count == signatureByteCount, publicKey.count == keyByteCount,
            isCanonicalScalar(signature[32..<64])
        else { return false }
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: [UInt8](publicKey)) else {
            return false
        }
        return key.isValidSignature(signature, for: message)
    }

    /// Creates a fresh random seed from the system's secure random source.
    public static func generateSeed() -> [UInt8] {
        [UInt8](Curve25519.Signing.PrivateKey().rawRepresentation)
    }

    /// Whether a little-endian scalar is below the group order L (RFC 8032 §5.1.7 step 1).
    private static func isCanonicalScalar(_ scalar: ArraySlice<UInt8>) -> Bool {
        let scalar = Array(scalar)
        for index in stride(from: 31, through: 0, by: -1) where scalar[index] != groupOrder[index] {
            return scalar[index] < groupOrder[index]
        }
        return false
    }

    fileprivate static func privateKey(
        seed: some DataProtocol
    ) throws(NoteError) -> Curve25519.Signing.PrivateKey {
        guard seed.count == keyByteCount else {
            throw NoteError(.cryptography, "an Ed25519 seed must be 32 bytes, not \(seed.count)")
        }
        do {
            return try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](seed))
        } catch {
            throw NoteError(.cryptography, "the Ed25519 seed was refused by the crypto library")
        }
    }
}
