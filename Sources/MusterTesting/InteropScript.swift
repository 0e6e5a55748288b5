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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", url.path]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin; process.standardOutput = stdout; process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(try CanonicalJSON.encode(input)))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CoreError(.invalidValue, "\(url.lastPathComponent) exited \(process.terminationStatus): \(String(decoding: err, as: UTF8.self))")
        }
        return try CanonicalJSON.parse(Array(out))
    }

    /// Runs the script's own known answers (`--self-test`); returns its exit status and output.
    public func selfTest() throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", url.path, "--self-test"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
