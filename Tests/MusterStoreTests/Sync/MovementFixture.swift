import Foundation
import MusterCore
import MusterStore
import MusterSync
import MusterTesting
import Testing

/// A free TCP port on loopback (bound, read, released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    try withUnsafeMutablePointer(to: &addr) { p in
        try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            guard bind(fd, sa, len) == 0, getsockname(fd, sa, &len) == 0 else { throw CocoaError(.fileReadUnknown) }
        }
    }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// A movement of real hubs on loopback: data directories made by the CLI, one roster signed by
/// a root key and installed everywhere (with a treasurer as officer), an operator token per hub,
/// and `muster serve` processes.
final class Movement: @unchecked Sendable {
    let temp: TemporaryDirectory
    let names: [String]
    let ports: [String: Int]
    var tokens: [String: String] = [:]
    var serving: [String: ChildProcess] = [:]
    let rootVkey: String
    /// The treasurer's key file (an officer on the roster: signs entries, never syncs).
    var treasurerKey: String { temp.path("treasurer.key") }
    /// An auditor's key file (on the roster: reads logs, never receives subject keys).
    var auditorKey: String { temp.path("auditor.key") }

    /// The key in a key file written by `muster keygen`.
    func signer(keyFile path: String) throws -> NoteSigner {
        try NoteSigner(skey: String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func origin(_ name: String) -> String { "sync.test/hub/\(name)" }
    func dir(_ name: String) -> String { temp.path(name) }
    func url(_ name: String) -> String { "http://127.0.0.1:\(ports[name]!)" }
    func logPath(_ name: String) -> String { temp.path("\(name).log") }

    init(_ names: [String]) throws {
        temp = try TemporaryDirectory(prefix: "muster-sync")
        self.names = names
        var ports: [String: Int] = [:]
        for n in names { ports[n] = try freePort() }
        self.ports = ports
        let draft = temp.path("roster.json"), note = temp.path("roster.note"), rootKey = temp.path("root.key")
        rootVkey = try Self.cli(["roster", "init", "--movement", "sync.test", "--root-key", rootKey, "--out", draft])
        for n in names {
            let vkey = try Self.cli(["init", "--origin", "sync.test/hub/\(n)", "--data-dir", temp.path(n)])
            _ = try Self.cli(["roster", "add", draft, "--name", "sync.test/hub/\(n)", "--vkey", vkey, "--url", "http://127.0.0.1:\(ports[n]!)"])
        }
        let treasurer = try Self.cli(["keygen", "--name", "sync.test/treasurer", "--out", temp.path("treasurer.key")])
        _ = try Self.cli(["roster", "add", draft, "--name", "sync.test/treasurer", "--vkey", treasurer, "--role", "officer"])
        let auditor = try Self.cli(["keygen", "--name", "sync.test/auditor", "--out", temp.path("auditor.key")])
        _ = try Self.cli(["roster", "add", draft, "--name", "sync.test/auditor", "--vkey", auditor, "--role", "auditor"])
        _ = try Self.cli(["roster", "sign", draft, "--root-key", rootKey, "--out", note])
        for n in names {
            _ = try Self.cli(["roster", "install", note, "--root-vkey", rootVkey, "--data-dir", temp.path(n)])
            tokens[n] = try Self.cli(["token", "add", "--name", "ops-\(n)", "--data-dir", temp.path(n)])
        }
    }

    deinit { for p in serving.values { p.signal(SIGKILL); p.waitUntilExit() } }

    /// Runs the CLI; returns its trimmed stdout, failing on a non-zero exit.
    @discardableResult
    static func cli(_ args: [String]) throws -> String {
        let r = try MusterBinary.run(args)
        guard r.status == 0 else { throw CoreError(.invalidValue, "muster \(args.prefix(2).joined(separator: " ")) failed: \(r.stderr)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts `muster serve` for `name` and waits until it listens.
    func start(_ name: String, _ extra: [String] = []) throws {
        let process = try ChildProcess(MusterBinary.url.path, ["serve", "--listen", "127.0.0.1:\(ports[name]!)", "--data-dir", dir(name)] + extra,
                                       stdout: .append(logPath(name)), stderr: .standardOutput)
        serving[name] = process
        let expected = starts(name)
        for _ in 0..<400 {
            if let text = try? String(contentsOfFile: logPath(name), encoding: .utf8),
               text.components(separatedBy: "serving sync.test/hub/\(name)").count > expected {
                return
            }
            guard process.isRunning else { throw CoreError(.invalidValue, "serve \(name) exited: \(log(name))") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw CoreError(.invalidValue, "serve \(name) did not start listening")
    }

    private var startCounts: [String: Int] = [:]
    private func starts(_ name: String) -> Int {
        startCounts[name, default: 0] += 1
        return startCounts[name]!
    }

    /// Stops a hub: SIGTERM (graceful) or SIGKILL.
    func stop(_ name: String, signal: Int32 = SIGTERM) {
        guard let p = serving.removeValue(forKey: name) else { return }
        p.signal(signal)
        p.waitUntilExit()
    }

    func log(_ name: String) -> String { (try? String(contentsOfFile: logPath(name), encoding: .utf8)) ?? "" }

    /// Records an event at `name` through the HTTP API; returns the acknowledged event id.
    func record(at name: String, _ type: String, _ fields: JSONValue, subject: String? = nil) async throws -> String {
        try await OperatorClient(url: url(name), token: tokens[name]!).record(type, fields: fields, subject: subject).id
    }

    /// A donation's fields.
    static func donation(_ pence: Int) -> JSONValue {
        .object(["amount": .object(["minor": .number(Double(pence)), "currency": .string("GBP")]), "receivedOn": .string("2026-03-01"),
                 "method": .string("card"), "donorKind": .string("individual")])
    }

    /// Records `count` donations at `name`, `parallel` at a time; returns the acknowledged ids.
    func recordMany(at name: String, count: Int, parallel: Int = 8) async throws -> [String] {
        try await withThrowingTaskGroup(of: [String].self) { group in
            for w in 0..<parallel {
                group.addTask {
                    var ids: [String] = []
                    for i in stride(from: w, to: count, by: parallel) {
                        ids.append(try await self.record(at: name, "donation.received", Self.donation(100 + i),
                                                         subject: "0b7a1c1e-3f0a-4b7e-9d6c-2f1e0c9a8b7d"))
                    }
                    return ids
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    /// The heads a hub advertises, read over the protocol with its own key.
    func heads(_ name: String) async throws -> [SyncWire.Head] {
        let signer = try DataDirectory(path: dir(name)).logSigner()
        return try await PeerClient(url: url(name), signer: signer).heads().heads
    }

    /// The read-model digest line of a hub (`muster digest`, "all").
    func digest(_ name: String) throws -> String {
        let out = try Self.cli(["digest", "--data-dir", dir(name)])
        return out.split(separator: "\n").first { $0.hasPrefix("all") }.map(String.init) ?? out
    }

    /// Waits until every serving hub in `names` advertises the same heads, with `sizes` entries
    /// per origin, and the same read-model digest; fails the test after `seconds`.
    func waitForConvergence(_ names: [String], sizes: [String: UInt64], seconds: Double = 60) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            do {
                var all: [[SyncWire.Head]] = []
                for n in names { all.append(try await heads(n)) }
                let wanted = sizes.filter { $0.value > 0 }
                let first = all[0]
                let firstSizes = Dictionary(uniqueKeysWithValues: try first.map { h in
                    (h.origin, try SignedCheckpoint(parsing: h.checkpoint).checkpoint.size)
                })
                if all.allSatisfy({ $0 == first }), firstSizes == Dictionary(uniqueKeysWithValues: wanted.map { (origin($0.key), $0.value) }) {
                    let digests = try names.map { try digest($0) }
                    if Set(digests).count == 1 { return }
                    last = "digests differ: \(digests)"
                } else {
                    last = "heads: \(names.map { n in "\(n)" }) sizes \(all.map { $0.map { h in (try? SignedCheckpoint(parsing: h.checkpoint).checkpoint.size).map { "\(h.origin)=\($0)" } ?? "?" } })"
                }
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("hubs did not converge in \(seconds) s: \(last)\n\(names.map { "\($0) log:\n\(log($0).suffix(1500))" }.joined(separator: "\n"))")
        throw CancellationError()
    }

    /// Runs `muster verify` on a hub; returns its output, failing when it finds anything.
    func verify(_ name: String) throws -> String {
        let r = try MusterBinary.run(["verify", "--data-dir", dir(name)])
        #expect(r.status == 0, "verify \(name): \(r.stdout) \(r.stderr)")
        return r.stdout
    }
}
