public import MusterCore

/// One entry as a store holds it: the canonical bytes with its place and local arrival order.
public struct StoredEntry: Sendable, Hashable {
    /// Local arrival order across all origins (the order projections read in).
    public let arrival: Int64
    /// The entry.
    public let entry: Entry
}

/// A checkpoint a store signed or accepted, with its signed note.
public struct StoredCheckpoint: Sendable, Hashable {
    /// The origin.
    public let origin: String
    /// Tree size.
    public let size: UInt64
    /// Root hash.
    public let rootHash: MerkleHash
    /// The signed note, exactly as signed or received.
    public let note: String
}

/// What happened to one entry of an append batch.
public enum AppendOutcome: Sendable, Hashable {
    /// Written at `seq`, covered by the batch's checkpoint of `checkpointSize`.
    case appended(seq: UInt64, id: EventID, checkpointSize: UInt64)
    /// Not written: the log had `actualSize` entries, not the size the caller expected.
    case conflict(expectedSize: UInt64, actualSize: UInt64)
}

/// One entry to append to the hub's own log, optionally only if the log has a given size.
public struct AppendRequest: Sendable {
    /// The checked, sealed entry.
    public let prepared: PreparedEntry
    /// Append only when the log holds exactly this many entries (optimistic concurrency).
    public let expectedSize: UInt64?
    /// A request.
    public init(_ prepared: PreparedEntry, expectedSize: UInt64? = nil) {
        self.prepared = prepared
        self.expectedSize = expectedSize
    }
}

extension LogStore {
    /// Appends a batch with nothing to wait for before the commit.
    public func append(_ batch: [AppendRequest]) async throws -> [AppendOutcome] {
        try await append(batch, beforeCommit: {})
    }
}

/// Per-origin status.
public struct OriginStatus: Sendable, Hashable {
    /// The origin.
    public let origin: String
    /// Whether this hub writes it.
    public let isLocal: Bool
    /// Entries held.
    public let size: UInt64
    /// The latest checkpoint held, if any.
    public let latestCheckpointSize: UInt64?
}

/// A hub's durable log storage: its own origin, which it appends to and signs, and copies of
/// other origins. The SQLite store implements it; a PostgreSQL store will implement it too, and
/// the same test suite runs against both.
public protocol LogStore: Sendable {
    /// The origin this store writes.
    var localOrigin: String { get }
    /// Appends a batch to the local log in one durable transaction ending with one signed
    /// checkpoint; returns one outcome per request, in order. Returns only when durable.
    /// `beforeCommit` runs inside the transaction just before it commits; if it throws, nothing
    /// is written (the hub waits there for the batch's new subject keys to be durable).
    func append(_ batch: [AppendRequest], beforeCommit: @escaping @Sendable () throws -> Void) async throws -> [AppendOutcome]
    /// Entries of `origin` with `seq >= fromSeq`, at most `limit`, in seq order.
    func entries(origin: String, fromSeq: UInt64, limit: Int) throws -> [StoredEntry]
    /// Entries of every origin in local arrival order after `arrival`, at most `limit`.
    func entries(afterArrival arrival: Int64, limit: Int) throws -> [StoredEntry]
    /// The entry with this event id, from any origin.
    func entry(id: EventID) throws -> StoredEntry?
    /// The latest checkpoint held for `origin`.
    func latestCheckpoint(origin: String) throws -> StoredCheckpoint?
    /// Every checkpoint held for `origin`, by size.
    func checkpoints(origin: String) throws -> [StoredCheckpoint]
    /// Inclusion proof of `seq` in the tree of `treeSize`.
    func inclusionProof(origin: String, seq: UInt64, treeSize: UInt64) throws -> InclusionProof
    /// Consistency proof between two sizes of `origin`'s tree.
    func consistencyProof(origin: String, from: UInt64, to: UInt64) throws -> ConsistencyProof
    /// Status of every origin held.
    func origins() throws -> [OriginStatus]
}
