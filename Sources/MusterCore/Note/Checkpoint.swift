/// The body of a C2SP checkpoint (c2sp.org/tlog-checkpoint): a log's origin, tree size, root hash
/// and optional extension lines, each ending in a newline.
///
///     example.com/behind-the-sofa
///     20852163
///     CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
///
/// The root hash is kept as raw bytes of any non-zero length so that other ecosystems' test
/// checkpoints parse; Muster's logs use RFC 9162 SHA-256 roots, which ``sha256RootHash()`` checks.
public struct Checkpoint: Sendable, Hashable {
    /// The log's identity, usually a schema-less URL such as `muster.example.org/hub/sheffield`.
    public let origin: String
    /// The number of leaves in the tree.
    public let size: UInt64
    /// The Merkle tree root at ``size`` (32 bytes for Muster's logs).
    public let rootHash: [UInt8]
    /// Opaque extension lines, without newlines; each is non-empty. Their use is not recommended.
    public let extensionLines: [String]

    /// The size of an RFC 9162 SHA-256 root.
    public static let sha256HashByteCount = 32

    /// Creates a checkpoint body.
    /// - Throws: ``NoteError/Code/malformedCheckpoint`` if the origin or an extension line is empty
    ///   or holds a newline or control character, or the root hash is empty.
    public init(origin: String, size: UInt64, rootHash: [UInt8], extensionLines: [String] = []) throws(NoteError) {
        guard Self.isValidLine(origin) else {
            throw NoteError(
                .malformedCheckpoint,
                "line 1: the origin must be non-empty without newlines or control characters"
            )
        }
        guard !rootHash.isEmpty else {
            throw NoteError(.malformedCheckpoint, "line 3: the root hash is empty")
        }
        for (offset, line) in extensionLines.enumerated() where !Self.isValidLine(line) {
            throw NoteError(
                .malformedCheckpoint,
                "line \(offset + 4): an extension line must be non-empty without newlines or control characters"
            )
        }
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.extensionLines = extensionLines
    }

    /// Parses a checkpoint body (the text of a checkpoint note, final newline included).
    /// - Throws: ``NoteError/Code/malformedCheckpoint`` naming the line: fewer than three lines,
    ///   no final newline, an empty origin, a size with a sign, leading zeros or above UInt64,
    ///   a root that is not canonical base64, an empty extension line.
    public init(parsing text: String) throws(NoteError) {
        guard let lines = NoteEncoding.lines(text[...]) else {
            throw NoteError(.malformedCheckpoint, "checkpoint text does not end with a newline")
        }
        guard lines.count >= 3 else {
            throw NoteError(
                .malformedCheckpoint,
                "checkpoint has \(lines.count) lines; origin, size and root hash are required"
            )
        }
        guard let size = NoteEncoding.parseDecimal(lines[1]) else {
            throw NoteError(
                .malformedCheckpoint,
                "line 2: tree size '\(lines[1].prefix(40))' is not a decimal without leading zeros that fits in 64 bits"
            )
        }
        guard let rootHash = NoteEncoding.decodeBase64(lines[2]) else {
            throw NoteError(.malformedCheckpoint, "line 3: root hash is not canonical base64")
        }
        try self.init(
            origin: String(lines[0]),
            size: size,
            rootHash: rootHash,
            extensionLines: lines[3...].map(String.init)
        )
    }

    /// The checkpoint body as note text: origin, size, base64 root and extension lines, each
    /// followed by a newline.
    public var text: String {
        ([origin, String(size), NoteEncoding.base64(rootHash)] + extensionLines).map { $0 + "\n" }.joined()
    }

    /// Whether the root hash is a 32-byte SHA-256 root, as in every Muster log.
    public var hasSHA256RootHash: Bool { rootHash.count == Self.sha256HashByteCount }

    /// The root hash, checked to be a 32-byte SHA-256 root.
    /// - Throws: ``NoteError/Code/malformedCheckpoint`` if it has another length.
    public func sha256RootHash() throws(NoteError) -> [UInt8] {
        guard hasSHA256RootHash else {
            throw NoteError(.malformedCheckpoint, "line 3: root hash of '\(origin)' is \(rootHash.count) bytes, not 32")
        }
        return rootHash
    }

    /// Non-empty, no newline, no control characters.
    private static func isValidLine(_ line: String) -> Bool {
        !line.isEmpty && line.utf8.allSatisfy { $0 >= 0x20 }
    }
}
