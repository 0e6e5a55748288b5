/// One signature line of a signed note: `— <key name> base64(key id || signature)`.
///
/// A `NoteSignature` is only syntax; whether it verifies is decided by a ``NoteVerifier`` that
/// matches its name and key id.
public struct NoteSignature: Sendable, Hashable {
    /// The signing key's name.
    public let name: String
    /// The signing key's id (the first four bytes of the decoded signature, big-endian).
    public let keyID: UInt32
    /// The signature bytes after the key id (for Ed25519, 64 bytes; for cosignature/v1, an 8-byte
    /// timestamp then 64 bytes).
    public let bytes: [UInt8]

    /// The em dash and space that start every signature line.
    static let linePrefix = "\u{2014} "

    /// Creates a signature from its parts.
    /// - Throws: ``NoteError`` if the name is not a valid key name or `bytes` is empty.
    public init(name: String, keyID: UInt32, bytes: [UInt8]) throws(NoteError) {
        guard NoteEncoding.isValidKeyName(name) else {
            throw NoteError(.invalidKeyName, "signature key name '\(name)' is empty or has spaces, '+' or controls")
        }
        guard !bytes.isEmpty else {
            throw NoteError(.malformedNote, "signature by '\(name)' has no bytes after its key id")
        }
        self.name = name
        self.keyID = keyID
        self.bytes = bytes
    }

    /// Parses one signature line, including its final newline.
    /// - Parameter line: `— <name> <base64>\n`.
    /// - Throws: ``NoteError/Code/malformedNote`` naming what is wrong.
    public init(line: String) throws(NoteError) {
        guard line.utf8.last == 0x0A else {
            throw NoteError(.malformedNote, "signature line does not end with a newline")
        }
        try self.init(lineContent: line.dropLast(), lineNumber: nil)
    }

    /// Parses a signature line without its newline; `lineNumber` (1-based, in the whole note) goes
    /// into error reasons.
    init(lineContent: Substring, lineNumber: Int?) throws(NoteError) {
        let place = lineNumber.map { "line \($0)" } ?? "signature line"
        // Byte-wise, so that a combining mark after a space cannot hide the separator.
        let utf8 = lineContent.utf8
        guard utf8.starts(with: Self.linePrefix.utf8) else {
            throw NoteError(.malformedNote, "\(place) does not start with an em dash (U+2014) and a space")
        }
        let restStart = utf8.index(utf8.startIndex, offsetBy: Self.linePrefix.utf8.count)
        guard let space = utf8[restStart...].firstIndex(of: 0x20) else {
            throw NoteError(.malformedNote, "\(place) has no space between key name and signature")
        }
        let name = lineContent[restStart..<space]
        let encoded = lineContent[utf8.index(after: space)...]
        guard NoteEncoding.isValidKeyName(name) else {
            throw NoteError(.malformedNote, "\(place): key name '\(name)' is empty or has spaces, '+' or controls")
        }
        guard let decoded = NoteEncoding.decodeBase64(encoded) else {
            throw NoteError(.malformedNote, "\(place): signature by '\(name)' is not canonical base64")
        }
        guard decoded.count > 4 else {
            throw NoteError(.malformedNote, "\(place): signature by '\(name)' is only \(decoded.count) bytes")
        }
        self.name = String(name)
        self.keyID = NoteEncoding.readUInt32(decoded, at: 0)
        self.bytes = Array(decoded[4...])
    }

    /// The signature line, with its final newline: `— <name> base64(key id || bytes)\n`.
    public var line: String {
        Self.linePrefix + name + " " + NoteEncoding.base64(NoteEncoding.bytes(keyID) + bytes) + "\n"
    }

    /// The key id as eight lowercase hex digits, as written in a `vkey`.
    public var keyIDHex: String { NoteEncoding.hex(keyID) }
}
