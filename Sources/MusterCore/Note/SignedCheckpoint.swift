/// A checkpoint in a signed note: the body parsed from the note's text, and the note itself with
/// its log signature and any witness cosignatures.
///
/// A value made by ``init(parsing:)`` is not yet trusted: use ``open(_:verifier:)`` or
/// ``verify(with:)`` to check the log's signature. The log's key name must equal the origin.
public struct SignedCheckpoint: Sendable, Hashable {
    /// The checkpoint body, parsed from ``note``'s text.
    public let checkpoint: Checkpoint
    /// The signed note carrying the checkpoint.
    public let note: SignedNote

    /// The outcome of checking a checkpoint's log signature.
    public enum Verification: Sendable, Hashable {
        /// The log key signed the checkpoint, and every signature it made verifies.
        case verified(SignedCheckpoint)
        /// The verifier's key name is not the checkpoint's origin: this is another log's key.
        case originMismatch(keyName: String, origin: String)
        /// The log key's signature is missing or fails; the note-level outcome says which.
        case notVerified(NoteVerification)

        /// Whether the checkpoint verified.
        public var isVerified: Bool {
            if case .verified = self { return true }
            return false
        }
    }

    /// Parses a signed note and its checkpoint body, without checking any signature.
    /// - Throws: ``NoteError`` if the note or the checkpoint body is malformed.
    public init(parsing note: String) throws(NoteError) {
        let parsed = try SignedNote(parsing: note)
        self.note = parsed
        self.checkpoint = try Checkpoint(parsing: parsed.text)
    }

    /// Pairs a note with its checkpoint body.
    /// - Throws: ``NoteError/Code/malformedCheckpoint`` if the note's text is not a checkpoint.
    public init(note: SignedNote) throws(NoteError) {
        self.note = note
        self.checkpoint = try Checkpoint(parsing: note.text)
    }

    /// Signs a checkpoint with the log's key.
    /// - Parameters:
    ///   - checkpoint: The checkpoint body.
    ///   - signer: The log key: an Ed25519 (0x01) key whose name is the checkpoint's origin.
    /// - Throws: ``NoteError/Code/keyMismatch`` if the key's name or type is wrong.
    public static func sign(_ checkpoint: Checkpoint, with signer: NoteSigner) throws(NoteError) -> SignedCheckpoint {
        guard signer.name.utf8.elementsEqual(checkpoint.origin.utf8) else {
            throw NoteError(
                .keyMismatch,
                "key '\(signer.name)' cannot sign a checkpoint of origin '\(checkpoint.origin)'"
            )
        }
        guard signer.type == .ed25519 else {
            throw NoteError(.keyMismatch, "a log signs its checkpoints with an Ed25519 (0x01) key, not \(signer.type)")
        }
        return try SignedCheckpoint(note: SignedNote.sign(checkpoint.text, with: [signer]))
    }

    /// Parses a signed checkpoint and checks it against the log's key.
    /// - Parameters:
    ///   - note: The signed note text.
    ///   - verifier: The log's key; its name must be the checkpoint's origin.
    /// - Returns: The verified checkpoint, or why it did not verify.
    /// - Throws: ``NoteError`` if the note or the checkpoint body is malformed.
    public static func open(_ note: String, verifier: NoteVerifier) throws(NoteError) -> Verification {
        try SignedCheckpoint(parsing: note).verify(with: verifier)
    }

    /// Checks the log's signature. Signatures by other keys (witnesses) are ignored here; check
    /// them with ``SignedNote/verify(against:)`` on ``note``.
    public func verify(with verifier: NoteVerifier) -> Verification {
        guard verifier.name.utf8.elementsEqual(checkpoint.origin.utf8) else {
            return .originMismatch(keyName: verifier.name, origin: checkpoint.origin)
        }
        let outcome = note.verify(against: [verifier])
        return outcome.isVerified ? .verified(self) : .notVerified(outcome)
    }

    /// The signed note as it is written and exchanged.
    public var formatted: String { note.formatted }
}
