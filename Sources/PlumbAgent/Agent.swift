import Foundation
import Hummingbird
import Logging
import NIOCore
import PlumbGit
import PlumbProviderKit
import PlumbRunner
import PlumbStore
import PlumbStorePostgres
import ServiceLifecycle

/// `plumb agent`: the HTTP server, and for every stack it follows a reconcile loop, a
/// poller and a drift watcher, with a lease keeper deciding which stacks this agent may
/// apply; one service group that shuts down gracefully on SIGTERM or SIGINT.
public struct Agent: Sendable {
    public let configuration: AgentConfiguration
    let logger: Logger

    public init(configuration: AgentConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until SIGTERM or SIGINT. `onListening` receives the bound port (useful with
    /// port 0), `onWebhookListening` that of `--webhook-listen`. Throws `AgentStartError`
    /// when the doors' rules forbid starting or an address cannot be bound.
    public func run(
        onListening: @escaping @Sendable (Int) -> Void = { _ in }, onWebhookListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        for warning in try configuration.checkDoors() { logger.warning("\(warning)") }
        // One agent per --state: a second one would apply beside the first. Taken before the
        // ports are probed, so a second agent is told about the lock, not about a busy port.
        let stateLock = try StateDirectoryLock(stateDirectory: configuration.stateDirectory, agentID: configuration.agentID)
        defer { withExtendedLifetime(stateLock) {} }
        try AgentServer.probe(ListenAddress(host: configuration.host, port: configuration.port), role: "--listen")
        if let hooks = configuration.doors.webhookListen { try AgentServer.probe(hooks, role: "--webhook-listen") }
        let store = try await StoreOpener.open(
            configuration.store, stateDirectory: configuration.stateDirectory, agent: configuration.agentID, logger: logger)
        let metrics = AgentMetrics()
        let monitor = StoreMonitor(store: store, metrics: metrics, logger: logger)
        // A damaged store is reported (and nothing applied) rather than a start refused: a
        // supervisor restarting the agent would not mend it.
        await monitor.check()
        let notifier = Notifier(environment: configuration.environment, logger: logger)
        let bus = EventBus()
        let origins = WebhookOrigins()
        let slots = ConcurrencyLimiter(limit: configuration.concurrency)
        let cancellation = GitCancellation()
        let fetchOptions = GitFetchOptions(
            connectTimeout: configuration.gitConnectTimeout, stallTimeout: configuration.gitStallTimeout, cancellation: cancellation)
        var repositories: [String: (GitRepository, MirrorFetcher)] = [:]
        var reconcilers: [Reconciler] = []
        for stack in configuration.stacks {
            // Stacks in one repository share its mirror and its fetches. Nothing is fetched
            // yet: an unreachable remote is retried (with backoff) by the lease keeper's
            // ticks, not an exit at start.
            let (repository, fetcher) =
                try repositories[stack.repo]
                ?? (
                    GitSource.openRepository(
                        stack.repo, stateDirectory: configuration.stateDirectory, userInfo: stack.repoUserInfo,
                        environment: configuration.environment, fetch: false), MirrorFetcher(options: fetchOptions)
                )
            repositories[stack.repo] = (repository, fetcher)
            reconcilers.append(
                Reconciler(
                    stack: stack, agent: configuration, repository: repository, store: store, metrics: metrics, monitor: monitor,
                    logger: logger, notifier: notifier, slots: slots, fetcher: fetcher, events: bus))
        }
        let keeper = LeaseKeeper(
            reconcilers: reconcilers, store: store, configuration: configuration, metrics: metrics, monitor: monitor, logger: logger)
        let routes = AgentRoutes(
            reconcilers: reconcilers, keeper: keeper, store: store, metrics: metrics, configuration: configuration,
            logger: logger, notifier: notifier, bus: bus, origins: origins)
        let logger = self.logger
        let doors = configuration.doors
        let secretSet = !(configuration.webhookSecret ?? "").isEmpty
        func announced(_ role: String, _ report: @escaping @Sendable (Int) -> Void) -> @Sendable (any Channel) async -> Void {
            { channel in
                logger.info(
                    "listening",
                    metadata: [
                        "address": "\(channel.localAddress?.description ?? "?")", "role": "\(role)", "store": "\(store.location)",
                        "agent": "\(configuration.agentID)", "stacks": "\(configuration.stacks.count)",
                    ])
                report(channel.localAddress?.port ?? 0)
            }
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(
                service: AgentServer.listener(
                    router: routes.router(), address: ListenAddress(host: configuration.host, port: configuration.port), role: "--listen",
                    doors: doors, secretSet: secretSet, metrics: metrics, logger: logger, onRunning: announced("--listen", onListening))),
            .init(service: LeaseService(keeper: keeper, interval: configuration.leaseInterval)),
            // Shut down in reverse order: the runs first (their last events published), then
            // the bus (every stream ends), then the feedback that drains what it still holds.
            .init(service: FeedbackService(bus: bus, feedback: Feedback(configuration: configuration, origins: origins, logger: logger))),
            .init(service: EventBusService(bus: bus)),
        ]
        if let address = doors.webhookListen {
            services.append(
                .init(
                    service: AgentServer.listener(
                        router: routes.webhookRouter(), address: address, role: "--webhook-listen", doors: doors, secretSet: secretSet,
                        metrics: metrics, logger: logger, onRunning: announced("--webhook-listen", onWebhookListening))))
        }
        for reconciler in reconcilers {
            services.append(.init(service: ReconcileService(reconciler: reconciler)))
            services.append(.init(service: PollService(reconciler: reconciler, interval: reconciler.stack.interval)))
            services.append(.init(service: DriftService(reconciler: reconciler, interval: reconciler.stack.driftInterval)))
        }
        services.append(
            .init(
                service: RetentionService(
                    store: store, retention: configuration.retention, stateDirectory: configuration.stateDirectory, monitor: monitor, logger: logger))
        )
        // Last: the group tells it first on shutdown (see GitShutdownService).
        services.append(.init(service: GitShutdownService(cancellation: cancellation)))
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
