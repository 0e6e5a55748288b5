import Foundation
public import Logging
import MusterCore
public import MusterStore
public import ServiceLifecycle
import Synchronization

/// Continuous sync while serving: one long-polling loop per roster hub other than this one. A
/// loop waits on the peer's heads (`wait=20`), pulls whatever changed and then the peer's new
/// subject keys (also at every quiet poll, for keys the peer relays), and backs off on errors
/// (1 s doubling to 10 s), logging a failure that persists once and then as a reminder
/// (``RepeatedWarning``). The peer set follows the roster as it changes.
public struct SyncService: Service {
    let hub: Hub
    let logger: Logger
    /// Seconds a long poll waits at the peer.
    public let pollWait: Int
    /// When set, follow only roster hubs at these URLs (a hub behind a firewall, a relay topology).
    public let only: Set<String>?

    /// A service syncing `hub` with every roster peer (or only those at `only`).
    public init(hub: Hub, logger: Logger, pollWait: Int = 20, only: Set<String>? = nil) {
        self.hub = hub
        self.logger = logger
        self.pollWait = pollWait
        self.only = only
    }

    public func run() async throws {
        let signer = try hub.directory.logSigner()
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                var running: [String: String] = [:]  // name → url
                var tasks: [String: Task<Void, Never>] = [:]
                while !Task.isCancelled {
                    let peers = (hub.roster?.hubs ?? []).filter { m in
                        m.name != hub.origin && m.url != nil && (only.map { $0.contains(m.url!) } ?? true)
                    }
                    let wanted = Dictionary(uniqueKeysWithValues: peers.map { ($0.name, $0.url!) })
                    for (name, url) in running where wanted[name] != url {
                        tasks[name]?.cancel()
                        tasks[name] = nil
                        running[name] = nil
                    }
                    for (name, url) in wanted where running[name] == nil {
                        let client = PeerClient(url: url, signer: signer)
                        let task = Task { await self.follow(client, name: name) }
                        tasks[name] = task
                        running[name] = url
                        group.addTask { await task.value }
                    }
                    try? await Task.sleep(for: .seconds(2))
                }
                for task in tasks.values { task.cancel() }
            }
        }
    }

    /// Follows one peer until cancelled.
    func follow(_ peer: PeerClient, name: String) async {
        let synchronizer = Synchronizer(hub: hub, logger: logger)
        var since: String?
        var backoff = 1.0
        // A failure that persists is logged once and then as a reminder, not at every poll.
        var syncWarnings = RepeatedWarning(), keyWarnings = RepeatedWarning()
        logger.info("following \(name) at \(peer.url)")
        while !Task.isCancelled {
            do {
                let heads = try await peer.heads(wait: since == nil ? nil : pollWait, since: since)
                if heads.token != since {
                    let report = try await synchronizer.round(with: peer, name: name, heads: heads)
                    if let line = syncWarnings.succeeded() { logger.notice("sync with \(name): \(line)") }
                    if report.total > 0 { logger.info("pulled \(report.total) entries from \(name)") }
                    try await pullKeys(synchronizer, peer, name: name, warnings: &keyWarnings)
                    // Retry soon when an origin failed, rather than wait for the peer to change.
                    since = report.errors.isEmpty ? heads.token : nil
                    if !report.errors.isEmpty { try await Task.sleep(for: .seconds(backoff)); backoff = min(10, backoff * 2) } else { backoff = 1 }
                } else {
                    // Keys the peer relays from other hubs change no heads: ask at each quiet poll.
                    try await pullKeys(synchronizer, peer, name: name, warnings: &keyWarnings)
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                if let line = syncWarnings.failed("\(error)") { logger.warning("sync with \(name): \(line)") }
                since = nil
                try? await Task.sleep(for: .seconds(backoff))
                backoff = min(10, backoff * 2)
            }
        }
    }
}

extension SyncService {
    /// Pulls the peer's new subject keys when this hub may hold them; a failure is logged (once
    /// while it repeats) and retried at the next poll (the logs keep syncing meanwhile). A peer
    /// of an earlier version, which has no key exchange, is named as such.
    func pullKeys(_ synchronizer: Synchronizer, _ peer: PeerClient, name: String, warnings: inout RepeatedWarning) async throws {
        guard synchronizer.receivesSubjectKeys else { return }
        do {
            let added = try await synchronizer.pullKeys(from: peer, name: name)
            if let line = warnings.succeeded() { logger.notice("subject keys from \(name): \(line)") }
            if added > 0 { logger.info("received \(added) subject keys from \(name)") }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let message = (error as? PeerError)?.status == 404
                ? "\(name) does not serve subject keys (a hub of an earlier version?): its entries sync, its subjects' keys do not until it is upgraded (\(error))"
                : "\(error)"
            if let line = warnings.failed(message) { logger.warning("subject keys from \(name): \(line)") }
        }
    }
}

/// A hub serving: the HTTP server and continuous sync as one service group, stopped gracefully
/// by SIGTERM or SIGINT (in-flight requests finish; the log is always consistent on disk).
public enum HubService {
    /// Parses `host:port`.
    public static func parseListen(_ text: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port),
              colon > text.startIndex else {
            throw SyncError(.malformed, "--listen '\(text)' must be host:port, e.g. 127.0.0.1:8440")
        }
        return (String(text[..<colon]), port)
    }
}
