/// Muster's pure core: the log entry format, RFC 8785 canonical JSON, RFC 9162 Merkle trees,
/// C2SP signed notes and checkpoints, sealed personal data and event schemas.
public enum MusterCore {
    /// The entry format version written into every envelope.
    public static let formatVersion = 1
}
