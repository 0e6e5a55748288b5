/// The auditor's bundle that `muster export` writes and `muster audit verify` reads: file names,
/// the origin directory encoding and the manifest. docs/VERIFYING.md defines it byte by byte.
public enum AuditBundle {
    public static let format = "muster-audit-bundle"
    public static let version = 1
    public static let manifestFile = "muster-bundle.json"
    public static let rootKeyFile = "root.vkey"
    public static let rosterFile = "roster.note"
    public static let vkeysFile = "vkeys"
    public static let schemasDirectory = "schemas/events"
    public static let logsDirectory = "logs"
    public static let evidenceDirectory = "evidence"
    /// In a log's directory: the latest checkpoint (C2SP tlog-tiles) and the checkpoint history.
    public static let checkpointFile = "checkpoint"
    public static let historyFile = "checkpoints.jsonl"

    /// The directory of `origin`'s log: `logs/` and the origin with every byte other than an ASCII
    /// letter, digit, `-`, `_` or a non-leading `.` written `%XX` (upper-case hex).
    public static func logPath(origin: String) -> String {
        var out = logsDirectory + "/"
        for (i, byte) in origin.utf8.enumerated() {
            let plain = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == 0x2D || byte == 0x5F || (byte == 0x2E && i > 0)
            if plain {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
            }
        }
        return out
    }

    /// One line of `checkpoints.jsonl`: the note as a JSON string, then a newline.
    public static func historyLine(_ note: String) -> [UInt8] {
        // A string always encodes.
        ((try? CanonicalJSON.encode(.string(note))) ?? []) + [0x0A]
    }

    /// The note one line of `checkpoints.jsonl` holds (without its newline); nil when the line is
    /// not a JSON string.
    public static func historyNote(_ line: [UInt8]) -> String? {
        (try? CanonicalJSON.parse(line))?.stringValue
    }

    /// The notes of a `checkpoints.jsonl` file, in order.
    /// - Throws: naming the line that is not a JSON string.
    public static func historyNotes(_ bytes: [UInt8]) throws(CoreError) -> [String] {
        var notes: [String] = []
        for (i, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty, i > 0 { continue }
            guard let note = historyNote(Array(line)) else {
                throw CoreError(.invalidValue, "\(historyFile) line \(i + 1) is not a JSON string")
            }
            notes.append(note)
        }
        return notes
    }

    /// The table of contents of a bundle (`muster-bundle.json`, canonical JSON). It is not signed:
    /// a verifier checks every fact in it against the signed data.
    public struct Manifest: Sendable, Hashable {
        /// One exported log.
        public struct Log: Sendable, Hashable {
            public var origin: String
            /// The tree size of its latest checkpoint.
            public var size: UInt64
            /// Lines in its checkpoint history.
            public var checkpoints: Int
            /// Whether the exporting hub holds evidence that the origin forked.
            public var frozen: Bool

            /// A log entry of the manifest.
            public init(origin: String, size: UInt64, checkpoints: Int, frozen: Bool) {
                self.origin = origin; self.size = size; self.checkpoints = checkpoints; self.frozen = frozen
            }
        }

        public var movement: String?
        public var exportedBy: String
        public var exportedAt: Timestamp
        public var logs: [Log]
        public var evidence: [String]

        /// A manifest; logs are kept sorted by origin and evidence paths sorted.
        public init(movement: String?, exportedBy: String, exportedAt: Timestamp, logs: [Log], evidence: [String]) {
            self.movement = movement; self.exportedBy = exportedBy; self.exportedAt = exportedAt
            self.logs = logs.sorted { $0.origin < $1.origin }
            self.evidence = evidence.sorted()
        }

        public var json: JSONValue {
            .object([
                "format": .string(AuditBundle.format), "version": .number(Double(AuditBundle.version)),
                "movement": movement.map(JSONValue.string) ?? .null, "exportedBy": .string(exportedBy),
                "exportedAt": .string(exportedAt.description),
                "logs": .array(logs.map { log in
                    .object(["origin": .string(log.origin), "path": .string(AuditBundle.logPath(origin: log.origin)),
                             "size": .number(Double(log.size)), "checkpoints": .number(Double(log.checkpoints)),
                             "frozen": .bool(log.frozen)])
                }),
                "evidence": .array(evidence.map(JSONValue.string)),
            ])
        }

        /// Reads a manifest: canonical JSON of this format and version, each log's path the one
        /// its origin gives, no origin twice.
        public init(bytes: [UInt8]) throws(CoreError) {
            let value: JSONValue
            do { value = try CanonicalJSON.parseCanonical(bytes) } catch {
                throw CoreError(.invalidValue, "\(manifestFile) is not canonical JSON: \(error)")
            }
            guard value["format"]?.stringValue == format, value["version"]?.integerValue == Int64(version) else {
                throw CoreError(.invalidValue, "\(manifestFile) is not a \(format) version \(version) manifest")
            }
            guard let exportedBy = value["exportedBy"]?.stringValue,
                  let exportedAt = try? Timestamp(value["exportedAt"]?.stringValue ?? ""),
                  let logs = value["logs"]?.arrayValue, let evidence = value["evidence"]?.arrayValue else {
                throw CoreError(.invalidValue, "\(manifestFile) needs exportedBy, exportedAt, logs and evidence")
            }
            var parsed: [Log] = []
            for (i, item) in logs.enumerated() {
                guard let origin = item["origin"]?.stringValue, Origin.isValid(origin),
                      let size = item["size"]?.integerValue, size >= 0,
                      let count = item["checkpoints"]?.integerValue, count >= 0, case .bool(let frozen)? = item["frozen"] else {
                    throw CoreError(.invalidValue, "\(manifestFile) logs[\(i)] needs origin, size, checkpoints and frozen")
                }
                guard item["path"]?.stringValue == logPath(origin: origin) else {
                    throw CoreError(.invalidValue, "\(manifestFile) logs[\(i)]: the path of \(origin) must be \(logPath(origin: origin))")
                }
                guard !parsed.contains(where: { $0.origin == origin }) else {
                    throw CoreError(.invalidValue, "\(manifestFile) lists \(origin) twice")
                }
                parsed.append(Log(origin: origin, size: UInt64(size), checkpoints: Int(count), frozen: frozen))
            }
            var paths: [String] = []
            for item in evidence {
                guard let path = item.stringValue, path.hasPrefix(evidenceDirectory + "/"), path.hasSuffix(".json"),
                      !path.dropFirst(evidenceDirectory.count + 1).contains("/"), !path.contains("..") else {
                    throw CoreError(.invalidValue, "\(manifestFile): evidence entries must be evidence/<id>.json")
                }
                paths.append(path)
            }
            self.init(movement: value["movement"]?.stringValue, exportedBy: exportedBy, exportedAt: exportedAt,
                      logs: parsed, evidence: paths)
        }
    }
}
