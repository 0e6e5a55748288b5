import ArgumentParser
import Foundation
import Logging
import MusterCore
import MusterStore
import MusterSync

/// A logger writing to standard error at `level` (`MUSTER_LOG_LEVEL` overrides).
func stderrLogger(_ label: String, level: Logger.Level = .info) -> Logger {
    var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = ProcessInfo.processInfo.environment["MUSTER_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? level
    return logger
}

extension Muster {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the hub: the sync protocol, the operators' HTTP API, and continuous sync with every roster peer.",
            discussion: """
                Stops gracefully on SIGTERM or SIGINT. Operators record and read through the API with a token from \
                `muster token add`; peers must be on the roster (`muster roster install`). The API is in Schemas/openapi.yaml.
                """)

        @OptionGroup var hub: HubOptions

        @Option(help: "Address to listen on, host:port (port 0 picks a free one).")
        var listen: String = "127.0.0.1:8440"

        @Flag(name: .customLong("no-sync"), help: "Serve only; do not pull from peers.")
        var noSync = false

        @Option(help: "Follow only the roster hub at this URL (repeatable; default: every roster hub).")
        var follow: [String] = []

        func run() async throws {
            let (host, port) = try HubService.parseListen(listen)
            let hub = try hub.open(writable: true)
            try hub.settleProjections()
            let logger = stderrLogger("muster.serve")
            if hub.roster == nil { logger.warning("no roster installed: peers cannot sync with this hub until `muster roster install`") }
            let origin = hub.origin
            let only = follow.isEmpty ? nil : Set(follow)
            try await HubService.run(hub: hub, host: host, port: port, sync: !noSync, follow: only, logger: logger) { bound in
                FileHandle.standardOutput.write(Data("serving \(origin) on http://\(host):\(bound)\n".utf8))
            }
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pull every log a peer holds that this hub lacks, verifying everything (one round).")

        @OptionGroup var hub: HubOptions

        @Option(help: "The peer's URL, e.g. http://127.0.0.1:8441.")
        var peer: String

        func run() async throws {
            let hub = try hub.open(writable: true)
            let name = hub.roster?.members.first { $0.url == peer }?.name ?? peer
            let client = PeerClient(url: peer, signer: try hub.directory.logSigner())
            let synchronizer = Synchronizer(hub: hub, logger: stderrLogger("muster.sync", level: .warning))
            let report = try await synchronizer.round(with: client, name: name)
            for (origin, count) in report.pulled.sorted(by: { $0.key < $1.key }) where count > 0 { print("\(origin): pulled \(count) entries") }
            for origin in report.frozen { print("\(origin): FROZEN (forked history; see `muster peers`)") }
            var keys: Result<Int, any Error> = .success(0)
            if synchronizer.receivesSubjectKeys {
                do { keys = .success(try await synchronizer.pullKeys(from: client, name: name)) } catch { keys = .failure(error) }
                if case .success(let n) = keys, n > 0 { print("subject keys: received \(n) from \(name)") }
            }
            try hub.settleProjections()
            if let (origin, error) = report.errors.sorted(by: { $0.key < $1.key }).first {
                throw InputError("sync from \(name) failed for \(origin): \(error)")
            }
            if case .failure(let error) = keys { throw InputError("subject keys from \(name) failed: \(error)") }
            if report.total == 0 && report.frozen.isEmpty, case .success(0) = keys { print("up to date with \(name)") }
        }
    }

    struct Peers: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Per peer and origin: their size, ours, the lag and the last error; and any forked origins.")

        @OptionGroup var hub: HubOptions

        func run() throws {
            let hub = try hub.open(writable: false)
            let ours = Dictionary(uniqueKeysWithValues: try hub.store.origins().map { ($0.origin, $0.size) })
            let frozen = try hub.store.frozenOrigins()
            var table = ReportTable(title: "peers of \(hub.origin)", columns: ["peer", "origin", "theirs", "ours", "lag", "last ok", "last error"])
            for s in try hub.store.peerStatuses() {
                let our = s.origin.isEmpty || s.origin == Synchronizer.keysRow ? nil : ours[s.origin] ?? 0
                var lag = ""
                if let theirs = s.theirSize, let our { lag = String(theirs > our ? theirs - our : 0) }
                table.rows.append([.text(s.peer), .text(s.origin.isEmpty ? "(peer)" : s.origin), .text(s.theirSize.map(String.init) ?? ""),
                                   .text(our.map(String.init) ?? ""), .text(lag),
                                   .text(s.lastOK.map { Timestamp(unixMillis: $0).description } ?? "never"),
                                   .text(s.lastError.map { String($0.prefix(100)) } ?? "")])
            }
            print(table.text, terminator: "")
            let keys = try hub.keys.counts()
            print("subject keys held: \(keys.subjects) subjects (\(keys.keys) keys), \(keys.erased) erased")
            for (origin, reason) in frozen.sorted(by: { $0.key < $1.key }) { print("FROZEN \(origin): \(reason)") }
            for e in try hub.store.evidence() {
                print("evidence \(e.evidence.id.prefix(16)) against \(e.evidence.origin) from \(e.source) at \(Timestamp(unixMillis: e.foundAt))")
            }
        }
    }

    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Operator tokens for the HTTP API.",
            subcommands: [Add.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a token for an operator and print it (once; only its hash is kept).")
            @OptionGroup var hub: HubOptions
            @Option(help: "The operator's name (recorded as the operator of what they record).")
            var name: String
            func run() throws {
                _ = try hub.directory.origin()
                print(try hub.directory.addOperatorToken(name: name))
            }
        }
    }
}
