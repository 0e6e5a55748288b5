/// The outcome of checking a well-formed note's signatures against a set of known keys.
///
/// Signatures whose name and key id match no known key are ignored. A known key's signature that
/// fails rejects the whole note, as c2sp.org/signed-note recommends and Go's `note.Open` does.
public enum NoteVerification: Sendable, Hashable {
    /// At least one known key signed the note and every known key's signature verified. Each key
    /// appears once, in the order its first signature line appears.
    case verified([VerifiedSignature])
    /// No signature line is from a known key.
    case noKnownSignature
    /// A signature line from a known key (1-based line number in the note) does not verify.
    case invalidSignature(NoteVerifier, line: Int)

    /// A signature that verified, with the key that checked it.
    public struct VerifiedSignature: Sendable, Hashable {
        /// The known key whose signature verified.
        public let verifier: NoteVerifier
        /// For a cosignature/v1, the POSIX time the cosigner stated; otherwise nil.
        public let timestamp: UInt64?
    }

    /// Whether the note verified.
    public var isVerified: Bool {
        if case .verified = self { return true }
        return false
    }

    /// The keys whose signatures verified (empty unless ``verified(_:)``).
    public var verifiedKeys: [NoteVerifier] {
        if case .verified(let signatures) = self { return signatures.map(\.verifier) }
        return []
    }
}

extension SignedNote {
    /// Checks the signatures against known keys.
    ///
    /// A signature line counts only if a known key has the same name *and* key id; others are
    /// ignored, even if they share one of the two. Repeated lines by one key are all checked and
    /// the key is listed once.
    /// - Parameter verifiers: The trusted keys (log keys and witness keys alike).
    /// - Returns: ``NoteVerification/verified(_:)`` with the keys that signed, or why not.
    public func verify(against verifiers: [NoteVerifier]) -> NoteVerification {
        let firstSignatureLine = text.utf8.count { $0 == 0x0A } + 2
        var verified: [NoteVerification.VerifiedSignature] = []
        for (offset, signature) in signatures.enumerated() {
            let candidates = verifiers.filter {
                $0.name.utf8.elementsEqual(signature.name.utf8) && $0.keyID == signature.keyID
            }
            guard let first = candidates.first else { continue }
            guard let verifier = candidates.first(where: { $0.isValidSignature(signature, for: text) }) else {
                return .invalidSignature(first, line: firstSignatureLine + offset)
            }
            if !verified.contains(where: { $0.verifier == verifier }) {
                let timestamp = verifier.type == .cosignatureV1 ? try? Cosignature(signature).timestamp : nil
                verified.append(.init(verifier: verifier, timestamp: timestamp))
            }
        }
        return verified.isEmpty ? .noKnownSignature : .verified(verified)
    }
}
