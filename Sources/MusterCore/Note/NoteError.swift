/// An error from parsing or producing signed notes, note keys, checkpoints and tlog proofs.
///
/// These are thrown for malformed input only. A well-formed note whose signature does not verify
/// is not an error: ``SignedNote/verify(against:)`` returns that outcome as a ``NoteVerification``.
///
/// Equality compares only ``code``; ``reason`` says what is wrong and where (for a note, which
/// line), for a person. Reasons never contain private key material.
public struct NoteError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure, an opaque and extensible set of values.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A verifier key (`vkey`) is malformed or its key id does not match its key.
        public static let malformedVerifierKey = Code("malformedVerifierKey")
        /// A signer key (`PRIVATE+KEY+…`) is malformed or its key id does not match its key.
        public static let malformedSignerKey = Code("malformedSignerKey")
        /// A key name is empty, contains spaces, `+` or control characters.
        public static let invalidKeyName = Code("invalidKeyName")
        /// A signed note does not follow the C2SP signed-note grammar.
        public static let malformedNote = Code("malformedNote")
        /// Note text cannot be signed (it does not end in a newline or has control characters).
        public static let invalidNoteText = Code("invalidNoteText")
        /// A cosignature is not a well-formed timestamped signature.
        public static let malformedCosignature = Code("malformedCosignature")
        /// A checkpoint body does not follow the C2SP tlog-checkpoint grammar.
        public static let malformedCheckpoint = Code("malformedCheckpoint")
        /// A tlog proof does not follow the C2SP tlog-proof grammar.
        public static let malformedProof = Code("malformedProof")
        /// A key is used for something its type or name does not allow.
        public static let keyMismatch = Code("keyMismatch")
        /// The cryptographic library refused an operation.
        public static let cryptography = Code("cryptography")

        /// The code's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public let code: Code
    /// What is wrong and where, for a person.
    public let reason: String
    /// Where in Muster's source the error was raised (`#fileID`).
    public let fileID: String
    /// The line in ``fileID``.
    public let line: Int

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - reason: What is wrong and where; never include secrets.
    public init(_ code: Code, _ reason: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.fileID = fileID
        self.line = line
    }

    /// The code and the reason.
    public var description: String { "\(code): \(reason)" }

    /// Errors are equal when their codes are; the reason and source location are detail.
    public static func == (lhs: NoteError, rhs: NoteError) -> Bool { lhs.code == rhs.code }

    /// Hashes the code only, consistently with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
