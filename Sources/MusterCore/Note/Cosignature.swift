/// A witness cosignature of type `cosignature/v1` (c2sp.org/tlog-cosignature, Ed25519, type 0x04):
/// a key id, the POSIX time of cosigning and an Ed25519 signature.
///
/// On a signature line it is base64(key id(4) || timestamp(8, big-endian) || signature(64)),
/// 76 bytes. The signed message is `cosignature/v1\n`, `time <timestamp>\n`, then the
/// checkpoint's note text. The message does not name the cosigner, so one Ed25519 key must never
/// serve two cosigners.
public struct Cosignature: Sendable, Hashable {
    /// The cosigner's key id (computed with type byte 0x04).
    public let keyID: UInt32
    /// When the cosigner made the statement, in seconds since the POSIX epoch; at most 2^63 − 1.
    public let timestamp: UInt64
    /// The 64-byte Ed25519 signature.
    public let signature: [UInt8]

    /// The encoded size: key id, timestamp and signature.
    public static let encodedByteCount = 4 + 8 + Ed25519.signatureByteCount

    /// The header line that separates cosignature/v1 messages from every other signed message.
    static let header = "cosignature/v1\n"

    /// Decodes the 76 bytes of a cosignature/v1 signature line (key id first).
    /// - Throws: ``NoteError/Code/malformedCosignature`` if the size is wrong (a 68-byte plain
    ///   note signature, for example) or the timestamp exceeds 2^63 − 1.
    public init(encoded bytes: [UInt8]) throws(NoteError) {
        guard bytes.count == Self.encodedByteCount else {
            throw NoteError(
                .malformedCosignature,
                "a cosignature/v1 signature is \(Self.encodedByteCount) bytes (key id, timestamp, signature), "
                    + "not \(bytes.count)"
            )
        }
        let timestamp = NoteEncoding.readUInt64(bytes, at: 4)
        guard timestamp <= UInt64(Int64.max) else {
            throw NoteError(.malformedCosignature, "cosignature timestamp \(timestamp) exceeds 2^63 - 1")
        }
        self.keyID = NoteEncoding.readUInt32(bytes, at: 0)
        self.timestamp = timestamp
        self.signature = Array(bytes[12...])
    }

    /// Decodes the cosignature carried by one signature line of a note.
    /// - Throws: ``NoteError/Code/malformedCosignature`` if it is not a timestamped signature.
    public init(_ signature: NoteSignature) throws(NoteError) {
        try self.init(encoded: NoteEncoding.bytes(signature.keyID) + signature.bytes)
    }

    /// The 76 encoded bytes: key id, big-endian timestamp, signature.
    public var encoded: [UInt8] {
        NoteEncoding.bytes(keyID) + NoteEncoding.bytes(timestamp) + signature
    }

    /// The message an Ed25519 cosigner signs: `cosignature/v1\ntime <timestamp>\n` followed by
    /// the cosigned note text (the checkpoint body with its final newline, no signature lines).
    public static func signedMessage(text: String, timestamp: UInt64) -> [UInt8] {
        Array((header + "time \(timestamp)\n" + text).utf8)
    }
}
