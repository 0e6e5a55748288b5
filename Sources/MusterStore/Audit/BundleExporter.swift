public import Foundation
public import MusterCore

/// Writes a hub's logs as an audit bundle (docs/VERIFYING.md): per origin the C2SP tlog-tiles
/// layout up to its latest checkpoint, with the checkpoint history; the roster, the root key,
/// the verifier keys, the event schemas and any equivocation evidence; and the manifest.
///
/// The bundle is written into a sibling folder, flushed to disk and renamed into place at the end,
/// so an export that fails (or a crash) leaves nothing behind, and one that returned is on disk. Entries are copied byte for byte (sealed payloads stay
/// sealed); tiles are computed from the entries.
public struct BundleExporter {
    public let hub: Hub

    /// An exporter of `hub`.
    public init(hub: Hub) { self.hub = hub }

    /// What was exported.
    public struct Result: Sendable {
        public let manifest: AuditBundle.Manifest
        /// Per origin, entries held past its latest checkpoint (not exported).
        public let uncovered: [String: UInt64]
        /// Files written.
        public let files: Int
    }

    /// Exports `origins` (all when nil) into `out`, which must not exist or be an empty folder.
    /// - Parameter progress: hears (origin, entries written, entries to write).
    public func export(to out: URL, origins: [String]? = nil,
                       progress: (String, UInt64, UInt64) -> Void = { _, _, _ in }) throws -> Result {
        let fm = FileManager.default
        if fm.fileExists(atPath: out.path) {
            guard (try? fm.contentsOfDirectory(atPath: out.path))?.isEmpty == true else {
                throw CoreError(.invalidValue, "\(out.path) already exists and is not an empty folder; choose a new --out")
            }
        }
        let held = try hub.store.origins()
        if let origins {
            for origin in origins where !held.contains(where: { $0.origin == origin }) {
                throw CoreError(.invalidValue, "this hub holds no log for origin '\(origin)'; see `muster peers` for the logs it holds")
            }
        }
        let parent = out.deletingLastPathComponent()
        guard fm.fileExists(atPath: parent.path) else {
            throw CoreError(.invalidValue, "the folder \(parent.path) for --out does not exist")
        }
        let staging = parent.appendingPathComponent(".\(out.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: staging)
        var writer = Writer(root: staging)
        do {
            let result = try write(into: &writer, origins: held.filter { origins?.contains($0.origin) ?? true }, progress: progress)
            // Every file reaches the disk before the bundle takes its name, and the name before we return.
            Self.flushFiles()
            if fm.fileExists(atPath: out.path) { try fm.removeItem(at: out) }
            try fm.moveItem(at: staging, to: out)
            try flushToDisk(parent.path)
            return result
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
    }

    /// Writes every dirty page to disk (`sync(2)`, which on Linux waits for the writes): one call
    /// for the thousands of files of a bundle, instead of one fsync each.
    static func flushFiles() {
        sync()
    }

    private func write(into writer: inout Writer, origins: [OriginStatus],
                       progress: (String, UInt64, UInt64) -> Void) throws -> Result {
        let roster = hub.roster
        if let note = hub.directory.rosterNote() { try writer.write(AuditBundle.rosterFile, Array(note.utf8)) }
        if let root = try hub.directory.pinnedRoot() { try writer.write(AuditBundle.rootKeyFile, Array((root.vkey + "\n").utf8)) }
        var vkeys = [hub.origin: hub.verifier.vkey]
        for member in roster?.hubs ?? [] { vkeys[member.name] = member.verifier.vkey }
        try writer.write(AuditBundle.vkeysFile, Array(vkeys.sorted { $0.key < $1.key }.map { $0.value + "\n" }.joined().utf8))
        for (name, bytes) in try SchemaFiles.all() { try writer.write(AuditBundle.schemasDirectory + "/" + name, bytes) }

        let frozen = try hub.store.frozenOrigins()
        var logs: [AuditBundle.Manifest.Log] = [], uncovered: [String: UInt64] = [:]
        for status in origins {
            guard let latest = try hub.store.latestCheckpoint(origin: status.origin) else {
                if status.size > 0 { uncovered[status.origin] = status.size }
                continue
            }
            if status.size > latest.size { uncovered[status.origin] = status.size - latest.size }
            let count = try writeLog(status.origin, latest: latest, into: &writer, progress: progress)
            logs.append(AuditBundle.Manifest.Log(origin: status.origin, size: latest.size, checkpoints: count,
                                                 frozen: frozen[status.origin] != nil))
        }
        var evidence: [String] = []
        for stored in try hub.store.evidence() {
            let path = AuditBundle.evidenceDirectory + "/" + stored.evidence.id + ".json"
            try writer.write(path, CanonicalJSON.encode(stored.evidence.json))
            evidence.append(path)
        }
        let manifest = AuditBundle.Manifest(movement: roster?.movement, exportedBy: hub.origin, exportedAt: .now(),
                                            logs: logs, evidence: evidence)
        try writer.write(AuditBundle.manifestFile, CanonicalJSON.encode(manifest.json))
        return Result(manifest: manifest, uncovered: uncovered, files: writer.files)
    }

    /// Writes one origin's tiles, entry bundles, latest checkpoint and history; returns the number
    /// of checkpoints in the history.
    private func writeLog(_ origin: String, latest: StoredCheckpoint, into writer: inout Writer,
                          progress: (String, UInt64, UInt64) -> Void) throws -> Int {
        let base = AuditBundle.logPath(origin: origin) + "/"
        let size = latest.size
        var tree = OriginAudit(origin: origin, checkpoints: [])
        var bundle: [[UInt8]] = []
        func flushTiles(final: Bool) throws {
            for (tile, hashes) in tree.drainTiles(final: final) {
                var bytes: [UInt8] = []
                bytes.reserveCapacity(hashes.count * 32)
                for hash in hashes { bytes += hash.bytes }
                try writer.write(base + tile.path, bytes)
            }
        }
        func flushBundle() throws {
            let first = tree.appender.size - UInt64(bundle.count)
            let tile = try TlogTile(level: 0, index: first / 256, width: bundle.count)
            try writer.write(base + tile.entryBundlePath, EntryBundle.encode(bundle))
            bundle.removeAll(keepingCapacity: true)
        }
        try hub.store.forEachRawEntry(origin: origin) { seq, bytes in
            guard seq <= size else { return }
            guard seq == tree.appender.size + 1 else {
                throw CoreError(.invalidValue, "\(origin) seq \(seq): the store lacks entry \(tree.appender.size + 1); run `muster verify`")
            }
            guard bytes.count <= EntryBundle.maximumEntryLength else {
                throw CoreError(.invalidValue, "\(origin) seq \(seq): the entry is \(bytes.count) bytes; an entry bundle holds at most 65535")
            }
            tree.append(MerkleHash.leafHash(bytes))
            bundle.append(bytes)
            if bundle.count == TlogTile.fullWidth {
                try flushBundle()
                try flushTiles(final: false)
                if seq % 65_536 == 0 { progress(origin, seq, size) }
            }
        }
        guard tree.appender.size == size else {
            throw CoreError(.invalidValue, "\(origin): the store holds \(tree.appender.size) entries but its checkpoint covers \(size); run `muster verify`")
        }
        if !bundle.isEmpty { try flushBundle() }
        try flushTiles(final: true)
        progress(origin, size, size)
        try writer.write(base + AuditBundle.checkpointFile, Array(latest.note.utf8))
        // The history can hold a checkpoint per entry: written a page at a time.
        var reader = StoreAuditSource.Reader(store: hub.store, origin: origin, through: Int64(size))
        var count = 0
        try writer.write(base + AuditBundle.historyFile, [])
        let file = try FileHandle(forWritingTo: writer.root.appendingPathComponent(base + AuditBundle.historyFile))
        defer { try? file.close() }
        while true {
            let notes = try reader.next(limit: 4_096)
            var page: [UInt8] = []
            for note in notes {
                page += AuditBundle.historyLine(note)
                count += 1
            }
            try file.write(contentsOf: page)
            if notes.isEmpty { break }
        }
        return count
    }

    /// Writes files under a root, making folders as needed.
    struct Writer {
        let root: URL
        var made: Set<String> = []
        var files = 0

        init(root: URL) { self.root = root }

        mutating func write(_ relative: String, _ bytes: [UInt8]) throws {
            let url = root.appendingPathComponent(relative)
            let folder = url.deletingLastPathComponent().path
            if !made.contains(folder) {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                made.insert(folder)
            }
            guard FileManager.default.createFile(atPath: url.path, contents: Data(bytes)) else {
                throw CoreError(.invalidValue, "cannot write \(url.path)")
            }
            files += 1
        }
    }
}
