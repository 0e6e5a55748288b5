public import MusterCore

/// Where an audit reads a movement's logs from: an exported bundle (``BundleDirectory``) or a
/// hub's own store (``StoreAuditSource``). Sources only read; ``Auditor`` checks everything.
public protocol AuditSource {
    /// What is audited, for messages.
    var label: String { get }
    /// Whether the source is an export: it holds exactly what its latest checkpoint covers and
    /// states its sizes and checkpoint counts (which must then match), where a store may hold
    /// entries no checkpoint covers yet.
    var isExport: Bool { get }
    /// The logs to verify, with the size each is to be verified to (a bundle: its manifest's; a
    /// store: the entries held).
    func logs() throws -> [AuditBundle.Manifest.Log]
    /// The latest checkpoint note of `origin`, if any.
    func latestCheckpoint(origin: String) throws -> String?
    /// A reader of `origin`'s checkpoint history, ascending.
    func checkpointHistory(origin: String) throws -> any CheckpointNoteReader
    /// The entries of one entry bundle (a level-0 tile) of `origin`, exactly as held.
    /// - Throws: ``AuditFinding`` when the bundle is missing or malformed.
    func entries(origin: String, bundle: TlogTile) throws -> [[UInt8]]
    /// The hashes of one hash tile of `origin`, nil when it is not there.
    func tile(origin: String, _ tile: TlogTile) throws -> [UInt8]?
    /// Equivocation evidence held: a name for messages and the JSON.
    func evidence() throws -> [(name: String, json: [UInt8])]
}

/// Reads a checkpoint history a page at a time (a history can hold a checkpoint per entry).
public protocol CheckpointNoteReader {
    /// Up to `limit` further notes; empty at the end.
    mutating func next(limit: Int) throws -> [String]
}
