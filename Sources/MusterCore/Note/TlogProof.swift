/// An offline proof that an entry is in a log (c2sp.org/tlog-proof, version 1): the entry's
/// index, an RFC 9162 inclusion proof and the signed checkpoint it leads to, with optional
/// unauthenticated extra data.
///
///     c2sp.org/tlog-proof@v1
///     extra <base64>                  (optional)
///     index <decimal>
///     <base64 hash>                   (zero or more, leaf's sibling first)
///                                     (empty line)
///     <signed checkpoint note, verbatim>
///
/// This type checks the grammar and signatures only; the Merkle module verifies the inclusion
/// proof against ``checkpoint``'s root hash.
public struct TlogProof: Sendable, Hashable {
    /// The first line of every version 1 proof.
    public static let header = "c2sp.org/tlog-proof@v1"
    /// The most proof hashes accepted: a tree of at most 2^64 leaves is at most 64 levels deep.
    public static let maximumProofHashCount = 64

    /// Opaque application data; not authenticated by anything in the proof.
    public let extra: [UInt8]?
    /// The zero-based index of the entry (Muster's `seq` − 1).
    public let index: UInt64
    /// The inclusion proof's SHA-256 hashes, from the leaf's sibling up to the root's child.
    public let inclusionProof: [[UInt8]]
    /// The log's signed checkpoint, possibly with witness cosignatures. Not yet verified.
    public let checkpoint: SignedCheckpoint

    /// Creates a proof.
    /// - Throws: ``NoteError/Code/malformedProof`` if a hash is not 32 bytes, there are more than
    ///   64, `extra` is empty, or `index` is not below the checkpoint's tree size.
    public init(
        index: UInt64,
        inclusionProof: [[UInt8]],
        checkpoint: SignedCheckpoint,
        extra: [UInt8]? = nil
    ) throws(NoteError) {
        if let extra, extra.isEmpty {
            throw NoteError(.malformedProof, "line 2: extra data, when present, must be non-empty")
        }
        guard inclusionProof.count <= Self.maximumProofHashCount else {
            throw NoteError(
                .malformedProof,
                "the inclusion proof has \(inclusionProof.count) hashes; at most 64 are possible"
            )
        }
        let firstHashLine = extra == nil ? 3 : 4
        for (offset, hash) in inclusionProof.enumerated() where hash.count != Checkpoint.sha256HashByteCount {
            throw NoteError(
                .malformedProof,
                "line \(firstHashLine + offset): proof hash is \(hash.count) bytes, not 32"
            )
        }
        guard index < checkpoint.checkpoint.size else {
            throw NoteError(
                .malformedProof,
                "index \(index) is not below the checkpoint's tree size \(checkpoint.checkpoint.size)"
            )
        }
        self.extra = extra
        self.index = index
        self.inclusionProof = inclusionProof
        self.checkpoint = checkpoint
    }

    /// Parses a proof.
    /// - Throws: ``NoteError/Code/malformedProof`` naming the line, or the signed-note or
    ///   checkpoint error for a malformed checkpoint.
    public init(parsing text: String) throws(NoteError) {
        var rest = text[...]
        var lineNumber = 0
        func nextLine() throws(NoteError) -> Substring {
            lineNumber += 1
            guard let newline = rest.utf8.firstIndex(of: 0x0A) else {
                throw NoteError(.malformedProof, "line \(lineNumber) is missing or does not end with a newline")
            }
            defer { rest = rest[rest.utf8.index(after: newline)...] }
            return rest[..<newline]
        }
        guard try nextLine().utf8.elementsEqual(Self.header.utf8) else {
            throw NoteError(.malformedProof, "line 1 is not '\(Self.header)'")
        }
        var line = try nextLine()
        var extra: [UInt8]?
        if line.utf8.starts(with: "extra ".utf8) {
            guard let data = NoteEncoding.decodeBase64(Substring(line.utf8.dropFirst(6))), !data.isEmpty else {
                throw NoteError(.malformedProof, "line \(lineNumber): extra data is not non-empty canonical base64")
            }
            extra = data
            line = try nextLine()
        }
        guard line.utf8.starts(with: "index ".utf8),
            let index = NoteEncoding.parseDecimal(Substring(line.utf8.dropFirst(6)))
        else {
            throw NoteError(
                .malformedProof,
                "line \(lineNumber): expected 'index ' and a decimal without leading zeros"
            )
        }
        var hashes: [[UInt8]] = []
        while true {
            line = try nextLine()
            if line.isEmpty { break }
            guard let hash = NoteEncoding.decodeBase64(line), hash.count == Checkpoint.sha256HashByteCount else {
                throw NoteError(.malformedProof, "line \(lineNumber): proof hash is not base64 of 32 bytes")
            }
            hashes.append(hash)
            guard hashes.count <= Self.maximumProofHashCount else {
                throw NoteError(.malformedProof, "line \(lineNumber): more than 64 proof hashes")
            }
        }
        try self.init(
            index: index,
            inclusionProof: hashes,
            checkpoint: SignedCheckpoint(parsing: String(rest)),
            extra: extra
        )
    }

    /// The proof as text, ending with the signed checkpoint note verbatim.
    public var formatted: String {
        var lines = [Self.header]
        if let extra { lines.append("extra " + NoteEncoding.base64(extra)) }
        lines.append("index \(index)")
        lines += inclusionProof.map { NoteEncoding.base64($0) }
        return lines.map { $0 + "\n" }.joined() + "\n" + checkpoint.formatted
    }

    /// Checks the checkpoint's log signature (not the inclusion proof).
    public func verifyCheckpoint(with verifier: NoteVerifier) -> SignedCheckpoint.Verification {
        checkpoint.verify(with: verifier)
    }
}
