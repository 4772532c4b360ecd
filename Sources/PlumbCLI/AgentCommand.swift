import ArgumentParser
import Foundation
import Logging
import PlumbAgent
import PlumbCore

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Follow a branch: reconcile every new commit, serve webhooks, report drift.")

    @Option(help: "The desired-state repository: a path (read in place) or a URL (mirrored under --state).")
    var repo: String?

    @Option(help: "An agent configuration file naming several stacks (Docs/agent.md); instead of --repo.")
    var config: String?

    @Option(help: "The branch to follow (default main).")
    var branch: String?

    @Option(help: "How often to poll the branch, e.g. 60s (the default), 5m.")
    var interval: String?

    @Option(help: "How often to look for drift (default 10m).")
    var driftInterval: String?

    @Option(help: "HOST:PORT to serve webhooks, /status and /metrics on (port 0: any free port).")
    var listen: String?

    @Option(help: "HOST:PORT of a second listener serving only /hooks/* and /healthz, for a proxy that faces the forge.")
    var webhookListen: String?

    @Flag(help: "Serve /status, /runs, /plans and /metrics without PLUMB_API_TOKEN on a non-loopback --listen.")
    var publicRead = false

    @Option(help: "Where Plumb keeps history, journal, git mirrors and the embedded inventory.")
    var state: String?

    @Option(help: "sqlite:PATH (default, under --state) or postgres://USER@HOST:PORT/DB, shared by agents on several machines.")
    var store: String?

    @Option(help: "This agent's name in the shared history and leases (default HOST-PID).")
    var agentID: String?

    @Option(help: "How often to renew leases and take free stacks (shared store).")
    var leaseInterval: String?

    @Option(help: "How long runs, drift reports, review plans and checkouts are kept, e.g. 30d (the default), 12h.")
    var retain: String?

    @Option(help: "How long connecting to the git remote may take (default 10s).")
    var gitConnectTimeout: String?

    @Option(help: "How long the git remote may send nothing during a fetch before it fails (default 60s).")
    var gitStallTimeout: String?

    @Flag(help: "Also reconcile the drift each drift pass finds.")
    var heal = false

    @Flag(help: "Hold a merge whose plan differs from every reviewed plan, and post the new plan.")
    var requireReviewedPlan = false

    @Option(
        help: "Where commit statuses go: github:OWNER/REPO, gitlab:GROUP/PROJECT or gitea:OWNER/REPO (default: from --repo's host, else the webhook)."
    )
    var forge: String?

    func validate() throws {
        if (repo == nil) == (config == nil) { throw ValidationError("give --repo or --config") }
        if config != nil, branch != nil || interval != nil || driftInterval != nil || heal || requireReviewedPlan || forge != nil {
            throw ValidationError(
                "--branch, --interval, --drift-interval, --heal, --require-reviewed-plan and --forge describe the --repo stack; with --config, set them per stack in the file"
            )
        }
    }

    /// `--config FILE`, or one stack from `--repo` and its flags; flags given beside
    /// `--config` override the file.
    func configuration() throws -> AgentConfiguration {
        var configuration: AgentConfiguration
        if let config {
            do {
                configuration = try AgentConfigurationFile.load(path: config)
            } catch {
                throw CLIError(message: "\(error)")
            }
        } else {
            var stack = StackConfiguration(repo: repo ?? ".")
            stack.branch = branch ?? "main"
            guard let poll = DurationText.parse(interval ?? "60s"), let drift = DurationText.parse(driftInterval ?? "10m") else {
                throw CLIError(message: "--interval and --drift-interval take durations such as 30s, 5m, 1h")
            }
            stack.interval = poll
            stack.driftInterval = drift
            stack.heal = heal
            stack.requireReviewedPlan = requireReviewedPlan
            if let forge {
                guard let named = ForgeRepository(forge) else {
                    throw CLIError(message: "--forge takes github:OWNER/REPO, gitlab:GROUP/PROJECT or gitea:OWNER/REPO")
                }
                stack.forge = named
            }
            configuration = AgentConfiguration(stacks: [stack])
        }
        if let listen {
            guard let address = AgentConfiguration.listenAddress(listen) else {
                throw CLIError(message: "--listen takes HOST:PORT, e.g. 127.0.0.1:8080")
            }
            (configuration.host, configuration.port) = address
        }
        if let webhookListen {
            guard let address = ListenAddress(webhookListen) else {
                throw CLIError(message: "--webhook-listen takes HOST:PORT, e.g. 0.0.0.0:8081")
            }
            configuration.doors.webhookListen = address
        }
        if publicRead { configuration.doors.publicRead = true }
        if let state { configuration.stateDirectory = state }
        if let store { configuration.store = store }
        if let agentID { configuration.agentID = agentID }
        if let leaseInterval {
            guard let duration = DurationText.parse(leaseInterval), duration > .zero, duration <= AgentConfiguration.maximumLeaseInterval else {
                throw CLIError(message: "--lease-interval takes a duration from 1ms to 5s, such as 1s")
            }
            configuration.leaseInterval = duration
        }
        let durations: [(String, String?, WritableKeyPath<AgentConfiguration, Duration>)] = [
            ("--retain", retain, \AgentConfiguration.retention), ("--git-connect-timeout", gitConnectTimeout, \.gitConnectTimeout),
            ("--git-stall-timeout", gitStallTimeout, \.gitStallTimeout),
        ]
        for (flag, text, path) in durations {
            guard let text else { continue }
            guard let duration = DurationText.parse(text) else {
                throw CLIError(message: "\(flag) takes a duration such as 30s, 5m, 12h or 30d")
            }
            configuration[keyPath: path] = duration
        }
        return configuration
    }

    func run() async throws {
        try await runReportingErrors {
            var configuration = try configuration()
            let environment = ProcessInfo.processInfo.environment
            configuration.webhookSecret = environment["PLUMB_WEBHOOK_SECRET"]
            configuration.doors.apiToken = environment["PLUMB_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
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
            let hooksHost = configuration.doors.webhookListen?.host ?? ""
            do {
                try await Agent(configuration: configuration, logger: logger).run(
                    onListening: { port in
                        // Tests and scripts read the bound port from this line.
                        Console.out("plumb agent listening on http://\(host):\(port)\n")
                    },
                    onWebhookListening: { port in Console.out("plumb agent webhooks on http://\(hooksHost):\(port)\n") })
            } catch let error as AgentStartError {
                throw CLIError(message: "plumb agent: \(error.message)")
            }
        }
    }
}
