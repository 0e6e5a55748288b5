public import Foundation
public import MusterCore

/// An independent implementation in Python under Tests/Interop: one JSON object in on stdin,
/// one JSON value out on stdout.
public struct InteropScript: Sendable {
    /// The script.
    public let url: URL

    /// The script `Tests/Interop/<name>` of this repository.
    public init(_ name: String) {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        url = root.appendingPathComponent("Tests/Interop/\(name)")
    }

    /// Runs the script on `input`; throws when it exits non-zero.
    public func run(_ input: JSONValue) throws -> JSONValue {
        let child = try ChildProcess("/usr/bin/env", ["python3", url.path], input: Data(try CanonicalJSON.encode(input)))
        let status = child.waitUntilExit()
        guard status == 0 else {
            throw CoreError(.invalidValue, "\(url.lastPathComponent) exited \(status): \(String(decoding: child.errors(), as: UTF8.self))")
        }
        // The script's bytes as they are: bad UTF-8 is the parser's to refuse, not to be repaired.
        return try CanonicalJSON.parse(Array(child.output()))
    }

    /// Runs the script's own known answers (`--self-test`); returns its exit status and output.
    public func selfTest() throws -> (status: Int32, output: String) {
        let child = try ChildProcess("/usr/bin/env", ["python3", url.path, "--self-test"], stderr: .standardOutput)
        let status = child.waitUntilExit()
        return (status, String(decoding: child.output(), as: UTF8.self))
    }
}
