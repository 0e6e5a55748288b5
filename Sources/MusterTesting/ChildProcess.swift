public import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn, its standard streams in files.
///
/// Foundation's `Process.run()` on Swift 6.3.1 for Linux crashes now and then (SIGSEGV in
/// `findMaximumOpenFromProcSelfFD`, which reads past a directory entry's name while it counts the
/// open descriptors to close; swift-corelibs-foundation #5472). Tests and benchmarks that start
/// processes use this instead.
///
/// Every stream is a file, never a pipe: a child never blocks on a full pipe the parent is not
/// reading, and a descriptor another thread's child inherits cannot hold a pipe open. Input is
/// written to a file before the child starts; output is read once it has exited.
public final class ChildProcess: Sendable {
    /// Where an output stream goes.
    public enum Output: Sendable {
        /// A file of this process's own, read with `output()` / `errors()`.
        case capture
        /// /dev/null.
        case discard
        /// Appended to the file at this path (created if missing).
        case append(String)
        /// Standard error only: wherever standard output goes.
        case standardOutput
        /// This process's own stream.
        case inherit
    }

    /// The child's process id.
    public let pid: pid_t
    private let directory: URL
    private let outPath: String?
    private let errPath: String?
    private let status = Mutex<Int32?>(nil)

    /// Starts `executable` (a path; `/usr/bin/env` finds programs on PATH) with `arguments`.
    ///
    /// - Parameters:
    ///   - environment: the whole environment; nil inherits this process's.
    ///   - input: the child's standard input (/dev/null when nil).
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                input: Data? = nil, stdout: Output = .capture, stderr: Output = .capture) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("muster-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        var started = false
        defer { if !started { try? FileManager.default.removeItem(at: directory) } }
        var opened: [Int32] = []
        defer { for fd in opened { close(fd) } }
        func open(_ path: String, _ flags: Int32) throws -> Int32 {
            let fd = Glibc.open(path, flags | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw ChildProcessError("cannot open \(path): \(String(cString: strerror(errno)))") }
            opened.append(fd)
            return fd
        }
        var inputPath = "/dev/null"
        if let input {
            inputPath = directory.appendingPathComponent("stdin").path
            try input.write(to: URL(fileURLWithPath: inputPath))
        }
        let inFD = try open(inputPath, O_RDONLY)

        var captured: [String?] = [nil, nil]
        func target(_ output: Output, _ index: Int) throws -> Int32? {
            switch output {
            case .inherit: return Int32(index + 1)
            case .capture:
                let path = directory.appendingPathComponent(index == 0 ? "stdout" : "stderr").path
                captured[index] = path
                return try open(path, O_WRONLY | O_CREAT | O_TRUNC)
            case .discard: return try open("/dev/null", O_WRONLY)
            case .append(let path): return try open(path, O_WRONLY | O_CREAT | O_APPEND)
            case .standardOutput: return nil
            }
        }
        let outFD = try target(stdout, 0) ?? 1
        let errFD = try target(stderr, 1) ?? outFD
        outPath = captured[0]
        errPath = captured[1]

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 onto 0, 1 and 2 clears close-on-exec there; every other descriptor this process
        // opened with O_CLOEXEC (Foundation, SQLite and NIO all do) stays behind.
        posix_spawn_file_actions_adddup2(&actions, inFD, 0)
        posix_spawn_file_actions_adddup2(&actions, outFD, 1)
        posix_spawn_file_actions_adddup2(&actions, errFD, 2)

        let env = environment ?? ProcessInfo.processInfo.environment
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw ChildProcessError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        pid = child
        started = true
    }

    deinit {
        if status.withLock({ $0 == nil }) { kill(pid, SIGKILL); _ = waitUntilExit() }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Waits for the child to exit: its exit status, or 128 + the signal that ended it.
    @discardableResult
    public func waitUntilExit() -> Int32 {
        if let known = status.withLock({ $0 }) { return known }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 {
            // ECHILD: another thread reaped it.
            if errno != EINTR { return status.withLock { $0 } ?? -1 }
        }
        return record(raw)
    }

    /// Whether the child is still running (reaps it when it has exited).
    public var isRunning: Bool {
        if status.withLock({ $0 }) != nil { return false }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return true }
        _ = record(raw)
        return false
    }

    /// Sends `signal` to the child, unless it has already been reaped.
    public func signal(_ signal: Int32) {
        if status.withLock({ $0 }) == nil { kill(pid, signal) }
    }

    /// What the child wrote to standard output so far (`.capture` only).
    public func output() -> Data { outPath.flatMap { FileManager.default.contents(atPath: $0) } ?? Data() }

    /// What the child wrote to standard error so far (`.capture` only).
    public func errors() -> Data { errPath.flatMap { FileManager.default.contents(atPath: $0) } ?? Data() }

    private func record(_ raw: Int32) -> Int32 {
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift's Glibc does not import as functions.
        let code = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        status.withLock { $0 = code }
        return code
    }

    /// Runs a child to its end: exit status, standard output and standard error as text.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           input: Data? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try ChildProcess(executable, arguments, environment: environment, input: input)
        let status = child.waitUntilExit()
        return (status, String(decoding: child.output(), as: UTF8.self), String(decoding: child.errors(), as: UTF8.self))
    }
}

/// A child process that could not be started.
public struct ChildProcessError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
