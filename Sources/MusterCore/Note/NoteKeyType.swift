/// The signature type of a note key: the algorithm identifier byte that C2SP signed-note assigns,
/// which is also hashed into the key id and prefixes the key in `vkey` and `PRIVATE+KEY` strings.
///
/// Muster supports only the two Ed25519 types, per the signed-note advice to support only the
/// types a design needs.
public enum NoteKeyType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `0x01`: an Ed25519 signature over the note text (a log's checkpoint signature).
    case ed25519 = 0x01
    /// `0x04`: a timestamped Ed25519 witness cosignature (c2sp.org/tlog-cosignature,
    /// `cosignature/v1`), over a header, a `time` line and the checkpoint text.
    case cosignatureV1 = 0x04

    /// The size of a signature of this type on a signature line, after the 4-byte key id.
    var signatureByteCount: Int {
        switch self {
        case .ed25519: Ed25519.signatureByteCount
        case .cosignatureV1: 8 + Ed25519.signatureByteCount
        }
    }

    /// A short name for messages.
    public var description: String {
        switch self {
        case .ed25519: "Ed25519 (0x01)"
        case .cosignatureV1: "Ed25519 cosignature/v1 (0x04)"
        }
    }
}
