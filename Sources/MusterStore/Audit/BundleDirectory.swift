public import Foundation
public import MusterCore

/// An exported audit bundle on disk as an audit source (docs/VERIFYING.md). Every path is made
/// from an origin or a tile coordinate, never taken from the bundle.
public struct BundleDirectory: AuditSource {
    public let url: URL
    public let manifest: AuditBundle.Manifest

    /// Opens the bundle at `path`: its manifest must be there and well formed.
    /// - Throws: a one-line error naming the file.
    public init(path: String) throws {
        url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CoreError(.invalidValue, "\(path) is not a directory; give the folder `muster export --out` wrote")
        }
        guard let bytes = FileManager.default.contents(atPath: url.appendingPathComponent(AuditBundle.manifestFile).path) else {
            throw CoreError(.invalidValue, "\(path) has no \(AuditBundle.manifestFile): not an audit bundle")
        }
        manifest = try AuditBundle.Manifest(bytes: Array(bytes))
    }

    public var label: String { url.path }

    public var isExport: Bool { true }

    /// A file of the bundle, nil when absent.
    public func read(_ relative: String) -> [UInt8]? {
        FileManager.default.contents(atPath: url.appendingPathComponent(relative).path).map(Array.init)
    }

    /// A text file of the bundle, nil when absent or not UTF-8.
    public func text(_ relative: String) -> String? {
        read(relative).flatMap { String(validating: $0, as: UTF8.self) }
    }

    public func logs() throws -> [AuditBundle.Manifest.Log] { manifest.logs }

    /// Directories under `logs/` that the manifest does not list.
    public func unlistedLogDirectories() -> [String] {
        let listed = Set(manifest.logs.map { AuditBundle.logPath(origin: $0.origin) })
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.appendingPathComponent(AuditBundle.logsDirectory).path)) ?? []
        return names.map { AuditBundle.logsDirectory + "/" + $0 }.filter { !listed.contains($0) }.sorted()
    }

    public func latestCheckpoint(origin: String) throws -> String? {
        text(AuditBundle.logPath(origin: origin) + "/" + AuditBundle.checkpointFile)
    }

    public func checkpointHistory(origin: String) throws -> any CheckpointNoteReader {
        let file = url.appendingPathComponent(AuditBundle.logPath(origin: origin) + "/" + AuditBundle.historyFile)
        guard let data = try? Data(contentsOf: file, options: .alwaysMapped) else {
            throw AuditFinding(origin: origin, "\(AuditBundle.historyFile) is missing")
        }
        return Reader(data: data, origin: origin)
    }

    struct Reader: CheckpointNoteReader {
        let data: Data
        let origin: String
        var offset = 0
        var line = 0

        mutating func next(limit: Int) throws -> [String] {
            var notes: [String] = []
            while notes.count < limit, offset < data.count {
                let end = data[offset...].firstIndex(of: 0x0A) ?? data.count
                let bytes = Array(data[offset..<end])
                offset = end + 1
                line += 1
                guard let note = AuditBundle.historyNote(bytes) else {
                    throw AuditFinding(origin: origin, "\(AuditBundle.historyFile) line \(line) is not a JSON string")
                }
                notes.append(note)
            }
            return notes
        }
    }

    public func entries(origin: String, bundle: TlogTile) throws -> [[UInt8]] {
        let path = bundle.entryBundlePath
        guard let bytes = read(AuditBundle.logPath(origin: origin) + "/" + path) else {
            throw AuditFinding(origin: origin, seq: bundle.firstNodeIndex + 1, "entry bundle \(path) is missing")
        }
        let entries: [[UInt8]]
        do { entries = try EntryBundle.decode(bytes) } catch {
            throw AuditFinding(origin: origin, seq: bundle.firstNodeIndex + 1, "entry bundle \(path) is malformed: \(error)")
        }
        guard entries.count == bundle.width else {
            throw AuditFinding(origin: origin, seq: bundle.firstNodeIndex + 1,
                               "entry bundle \(path) holds \(entries.count) entries; \(bundle.width) expected")
        }
        return entries
    }

    public func tile(origin: String, _ tile: TlogTile) throws -> [UInt8]? {
        read(AuditBundle.logPath(origin: origin) + "/" + tile.path)
    }

    public func evidence() throws -> [(name: String, json: [UInt8])] {
        try manifest.evidence.map { path in
            guard let bytes = read(path) else { throw AuditFinding(origin: nil, "\(path) is listed in the manifest but missing") }
            return (path, bytes)
        }
    }
}
