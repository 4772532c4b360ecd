import ArgumentParser
import Foundation
import Logging
import PlumbAgent
import PlumbCore

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Follow a branch: reconcile every new commit, serve webhooks, report drift.")

    @Option(help: "The desired-state repository: a path (read in place) or a URL (mirrored under --state).")
    var repo: String

    @Option(help: "The branch to follow.")
    var branch = "main"

    @Option(help: "How often to poll the branch (e.g. 60s, 5m).")
    var interval = "60s"

    @Option(help: "How often to look for drift.")
    var driftInterval = "10m"

    @Option(help: "HOST:PORT to serve webhooks, /status and /metrics on (port 0: any free port).")
    var listen = "127.0.0.1:8080"

    @OptionGroup var state: StateOptions

    @Option(help: "sqlite:PATH (default, under --state) or postgres://…")
    var store: String?

    @Flag(help: "Also reconcile the drift each drift pass finds.")
    var heal = false

    @Flag(help: "Hold a merge whose plan differs from every reviewed plan, and post the new plan.")
    var requireReviewedPlan = false

    func run() async throws {
        try await runReportingErrors {
            var configuration = AgentConfiguration(repo: repo)
            configuration.branch = branch
            guard let poll = DurationText.parse(interval), let drift = DurationText.parse(driftInterval) else {
                throw CLIError(message: "--interval and --drift-interval take durations such as 30s, 5m, 1h")
            }
            configuration.interval = poll
            configuration.driftInterval = drift
            let parts = listen.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port) else {
                throw CLIError(message: "--listen takes HOST:PORT, e.g. 127.0.0.1:8080")
            }
            configuration.host = String(parts[0])
            configuration.port = port
            configuration.stateDirectory = state.state
            if let store, !store.hasPrefix("sqlite:") {
                throw CLIError(message: "--store \(store): only sqlite: stores are available in this build")
            }
            configuration.heal = heal
            configuration.requireReviewedPlan = requireReviewedPlan
            let environment = ProcessInfo.processInfo.environment
            configuration.webhookSecret = environment["PLUMB_WEBHOOK_SECRET"]
            configuration.environment = environment
            // A parent that started us from a thread with signals blocked (as Foundation's
            // Process does from Swift concurrency threads) would leave SIGTERM blocked, and
            // graceful shutdown would never start.
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGTERM)
            sigaddset(&signals, SIGINT)
            pthread_sigmask(SIG_UNBLOCK, &signals, nil)
            let terminal = Console.stderrIsTerminal
            LoggingSystem.bootstrap { label -> any LogHandler in
                terminal ? StreamLogHandler.standardError(label: label) : JSONLogHandler(label: label)
            }
            let logger = Logger(label: "plumb.agent")
            let host = configuration.host
            try await Agent(configuration: configuration, logger: logger).run { port in
                // Tests and scripts read the bound port from this line.
                Console.out("plumb agent listening on http://\(host):\(port)\n")
            }
        }
    }
}
