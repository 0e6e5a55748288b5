/// A C2SP signed note (c2sp.org/signed-note): text ending in a newline, a blank line, then one or
/// more signature lines `— <key name> base64(key id || signature)`.
///
/// Parsing checks only the grammar; ``verify(against:)`` decides which signatures are trusted.
/// The text is separated from the signatures by the *last* blank line, so the text itself may
/// contain blank lines. Formatting a parsed note gives back the exact input.
public struct SignedNote: Sendable, Hashable {
    /// The signed text, including its final newline and excluding the separating blank line.
    public let text: String
    /// The signature lines, in order (duplicates and unknown keys kept as they were).
    public let signatures: [NoteSignature]

    /// The most signature lines accepted (as in golang.org/x/mod/sumdb/note; the spec asks for at
    /// least 16).
    public static let maximumSignatureCount = 100

    /// Creates a note from text and signatures.
    /// - Throws: ``NoteError`` if the text cannot be a note, or there are no or too many signatures.
    public init(text: String, signatures: [NoteSignature]) throws(NoteError) {
        try Self.checkText(text)
        guard !signatures.isEmpty else {
            throw NoteError(.malformedNote, "a signed note needs at least one signature line")
        }
        guard signatures.count <= Self.maximumSignatureCount else {
            throw NoteError(
                .malformedNote,
                "note has \(signatures.count) signatures; at most \(Self.maximumSignatureCount) are accepted"
            )
        }
        self.text = text
        self.signatures = signatures
    }

    /// Parses a signed note from bytes, which must be valid UTF-8.
    /// - Throws: ``NoteError/Code/malformedNote`` naming the offending line.
    public init(parsing bytes: [UInt8]) throws(NoteError) {
        guard let note = String(validating: bytes, as: UTF8.self) else {
            throw NoteError(.malformedNote, "note is not valid UTF-8")
        }
        try self.init(parsing: note)
    }

    /// Parses a signed note.
    /// - Throws: ``NoteError/Code/malformedNote`` naming the offending line: control characters,
    ///   no blank line, no signature lines, a line that is not a signature after the blank line, a
    ///   missing final newline, a bad key name or bad base64.
    public init(parsing note: String) throws(NoteError) {
        if let line = Self.lineOfFirstControlCharacter(note) {
            throw NoteError(.malformedNote, "line \(line) contains an ASCII control character")
        }
        let bytes = Array(note.utf8)
        var split = bytes.count - 2
        while split >= 0, !(bytes[split] == 0x0A && bytes[split + 1] == 0x0A) { split -= 1 }
        guard split >= 0 else {
            throw NoteError(.malformedNote, "note has no blank line before its signature lines")
        }
        let utf8 = note.utf8
        let textEnd = utf8.index(utf8.startIndex, offsetBy: split + 1)
        let text = note[..<textEnd]
        let block = note[utf8.index(after: textEnd)...]
        let firstSignatureLine = text.utf8.count { $0 == 0x0A } + 2
        guard !block.isEmpty else {
            throw NoteError(.malformedNote, "line \(firstSignatureLine): no signature lines after the last blank line")
        }
        guard let lines = NoteEncoding.lines(block) else {
            let last = firstSignatureLine + block.utf8.count { $0 == 0x0A }
            throw NoteError(.malformedNote, "line \(last): the last signature line does not end with a newline")
        }
        guard lines.count <= Self.maximumSignatureCount else {
            throw NoteError(
                .malformedNote,
                "note has \(lines.count) signature lines; at most \(Self.maximumSignatureCount) are accepted"
            )
        }
        var signatures: [NoteSignature] = []
        for (offset, line) in lines.enumerated() {
            signatures.append(try NoteSignature(lineContent: line, lineNumber: firstSignatureLine + offset))
        }
        self.text = String(text)
        self.signatures = signatures
    }

    /// Signs text with each signer in turn, in the given order.
    /// - Throws: ``NoteError`` if the text cannot be a note or there are no signers.
    public static func sign(_ text: String, with signers: [NoteSigner]) throws(NoteError) -> SignedNote {
        var signatures: [NoteSignature] = []
        for signer in signers {
            signatures.append(try signer.sign(text))
        }
        return try SignedNote(text: text, signatures: signatures)
    }

    /// This note with more signatures appended (a witness's cosignature, for example).
    public func adding(_ more: [NoteSignature]) throws(NoteError) -> SignedNote {
        try SignedNote(text: text, signatures: signatures + more)
    }

    /// The note as it is written and exchanged: text, blank line, signature lines.
    public var formatted: String {
        text + "\n" + signatures.map(\.line).joined()
    }

    /// Checks that text can be signed: non-empty, ending in a newline, no control characters
    /// other than newline.
    static func checkText(_ text: String) throws(NoteError) {
        guard text.utf8.last == 0x0A else {
            throw NoteError(.invalidNoteText, "note text must be non-empty and end with a newline")
        }
        if let line = lineOfFirstControlCharacter(text) {
            throw NoteError(.invalidNoteText, "line \(line) of the note text contains an ASCII control character")
        }
    }

    /// The 1-based line of the first ASCII control character other than newline, if any.
    private static func lineOfFirstControlCharacter(_ text: String) -> Int? {
        var line = 1
        for byte in text.utf8 {
            if byte == 0x0A {
                line += 1
            } else if byte < 0x20 {
                return line
            }
        }
        return nil
    }
}
