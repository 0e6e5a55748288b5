import Foundation
@testable import MusterCore
import MusterDemo
import MusterTesting

/// Shared fixtures for the Entry suites: synthetic logs assembled the way a hub does, the
/// repository root, JSON tree edits, and a runner for the Python `jsonschema` cross-checks.
enum EntryFixtures {
    static let origin = "muster.example.org/hub/sheffield"

    /// One hub's log of a synthetic movement, with the key store that sealed it.
    struct Log: Sendable {
        let movement: SyntheticMovement
        let entries: [Entry]
        let keys: InMemorySubjectKeyStore
    }

    static let small = assemble(SyntheticMovement(.init(members: 60)))
    static let large = assemble(SyntheticMovement(.init(members: 300)))

    /// Prepares, places and encodes every event as a hub does.
    static func assemble(_ movement: SyntheticMovement, origin: String = origin) -> Log {
        let keys = InMemorySubjectKeyStore()
        var clock = HybridLogicalClock()
        var entries: [Entry] = []
        for (i, event) in movement.events.enumerated() {
            let prepared = try! PreparedEntry(event.draft, origin: origin, id: event.id, keys: keys)
            let at = Timestamp(unixMillis: Int64(event.id.unixMillis))
            entries.append(try! prepared.assemble(seq: UInt64(i + 1), recordedAt: at, hlc: clock.tick(now: at.unixMillis)))
        }
        return Log(movement: movement, entries: entries, keys: keys)
    }

    /// The package root, found from this file's path (Tests/MusterCoreTests/Entry/…).
    static var repositoryRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("muster-entry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `value` with the member at `path` replaced (nil removes it). Missing parents are left alone.
    static func setting(_ value: JSONValue, _ path: [String], to new: JSONValue?) -> JSONValue {
        guard let key = path.first, case .object(var members) = value else { return value }
        if path.count == 1 {
            members[key] = new
        } else if let child = members[key] {
            members[key] = setting(child, Array(path.dropFirst()), to: new)
        }
        return .object(members)
    }

    static func json(_ entry: Entry) -> JSONValue { try! CanonicalJSON.parse(entry.bytes) }
}

/// Runs Python scripts that need `jsonschema` (with `rfc3339-validator` for `date-time`).
/// A missing interpreter or package is an error with a message that says what to install.
enum EntryPython {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Imports the packages or exits 3, so a missing package never passes silently.
    static let preamble = """
        import sys, json, os
        try:
            import jsonschema
            import rfc3339_validator
            from jsonschema import Draft202012Validator
        except ImportError as e:
            sys.stderr.write("missing Python package: %s (pip install jsonschema rfc3339-validator)\\n" % e)
            sys.exit(3)

        """

    /// Runs `preamble + script` with `arguments`; returns stdout, throws with stderr on non-zero exit.
    static func run(_ script: String, arguments: [String]) throws -> String {
        let r: (status: Int32, stdout: String, stderr: String)
        do { r = try ChildProcess.run("/usr/bin/env", ["python3", "-c", preamble + script] + arguments) } catch {
            throw Failure(description: "cannot start python3 (is it installed and on PATH?): \(error)")
        }
        switch r.status {
        case 0: return r.stdout
        case 127: throw Failure(description: "python3 not found on PATH; install python3 and `pip install jsonschema rfc3339-validator`")
        default: throw Failure(description: "python3 exited \(r.status): \(r.stderr.prefix(2000))")
        }
    }

    /// Writes every catalogued schema document (canonical JSON) into `dir`, one file per type version.
    static func writeSchemas(to dir: URL) throws {
        for schema in EventCatalog.schemas {
            let bytes = try CanonicalJSON.encode(schema.document)
            try Data(bytes).write(to: dir.appendingPathComponent(schema.fileName))
        }
    }
}
