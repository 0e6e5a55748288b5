import Hummingbird
public import Logging
public import MusterStore
import NIOCore
public import ServiceLifecycle
import UnixSignals

extension HubService {
    /// The services of a serving hub: the HTTP server on `host:port` (0 picks a free port, reported
    /// through `onListening`) and, when `sync` is set, continuous sync with every roster peer.
    public static func services(hub: Hub, host: String, port: Int, sync: Bool, follow: Set<String>? = nil, logger: Logger,
                                onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> [any Service] {
        let server = HubServer(hub: hub, logger: logger)
        let app = Application(router: server.router(), configuration: .init(address: .hostname(host, port: port), serverName: "muster"),
                              onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
                              logger: logger)
        var services: [any Service] = [app]
        if sync { services.append(SyncService(hub: hub, logger: logger, only: follow)) }
        // Last in the group, so first to hear of a graceful shutdown: it ends the long polls
        // that would otherwise hold the server open for their full wait.
        services.append(LongPollCloser(hub: hub))
        return services
    }

    /// Runs a hub until SIGTERM/SIGINT (or until the calling task is cancelled).
    public static func run(hub: Hub, host: String, port: Int, sync: Bool, follow: Set<String>? = nil, logger: Logger,
                           onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let group = ServiceGroup(services: services(hub: hub, host: host, port: port, sync: sync, follow: follow, logger: logger,
                                                    onListening: onListening),
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

/// Ends every long poll when the group begins to shut down.
struct LongPollCloser: Service {
    let hub: Hub
    func run() async throws {
        try? await gracefulShutdown()
        hub.changes.close()
    }
}
