import Foundation
import Hummingbird
import Logging
import PlumbGit
import PlumbRunner
import PlumbStore
import ServiceLifecycle

/// `plumb agent`: the HTTP server, the reconcile loop, the poller and the drift watcher,
/// run as one service group that shuts down gracefully on SIGTERM or SIGINT.
public struct Agent: Sendable {
    public let configuration: AgentConfiguration
    let logger: Logger

    public init(configuration: AgentConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until SIGTERM or SIGINT. `onListening` receives the bound port (useful with
    /// port 0).
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let repository = try GitSource.openRepository(configuration.repo, stateDirectory: configuration.stateDirectory)
        let store = try StateStore(directory: configuration.stateDirectory)
        let metrics = AgentMetrics()
        let notifier = Notifier(environment: configuration.environment, logger: logger)
        let reconciler = Reconciler(
            configuration: configuration, repository: repository, store: store, metrics: metrics, logger: logger,
            notifier: notifier)
        do {
            try await reconciler.restore()
        } catch {
            logger.warning("could not read the branch head at start", metadata: ["error": "\(error)"])
        }
        let routes = AgentRoutes(
            reconciler: reconciler, store: store, metrics: metrics, configuration: configuration, logger: logger,
            notifier: notifier)
        let logger = self.logger
        let application = Application(
            router: routes.router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "plumb"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
                onListening(port)
            },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: application),
                    .init(service: ReconcileService(reconciler: reconciler)),
                    .init(service: PollService(reconciler: reconciler, interval: configuration.interval)),
                    .init(service: DriftService(reconciler: reconciler, interval: configuration.driftInterval)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
