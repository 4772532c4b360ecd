import Foundation
import Logging
import PlumbCore
import PlumbHTTP
import PlumbProviderKit
import PlumbWebhooks
import ServiceLifecycle

/// Tells people what the event bus says (SPEC §8.3): a commit status on the forge for every
/// run (pending, then its outcome), and a chat notification when a run fails, when the first
/// run after failures succeeds, and when drift appears or clears. One subscriber, events in
/// order: a run's `pending` always reaches the forge before its outcome.
struct FeedbackService: Service {
    let feedback: Feedback
    let stream: AsyncStream<EventBus.Element>

    /// Subscribes at once, before any service runs: the first run's `pending` is not missed.
    init(bus: EventBus, feedback: Feedback) {
        self.feedback = feedback
        stream = bus.subscribe(EventFilter(), after: nil, heartbeat: .seconds(3600)).stream
    }

    func run() async throws {
        for await element in stream {
            guard case .event(let event) = element else { continue }
            await feedback.handle(event)
        }
        // The bus ends before the group tells this service to stop (shutdown runs in reverse
        // order): returning now would be "finished unexpectedly" to the group, and the agent
        // would exit 1 after a clean SIGTERM. Drained, it waits to be told.
        try? await gracefulShutdown()
    }
}

/// Which forge repository each commit's statuses go to, and where notifications go.
actor Feedback {
    let environment: [String: String]
    let logger: Logger
    /// The environment's secrets, kept out of every status and notification (SPEC §8.1):
    /// a run's error can quote a provider's answer or a check's output.
    let redactor: Redactor
    let http = HTTPClient(maxConcurrent: 2)
    let retry = RetryPolicy(attempts: 3, base: .milliseconds(300), cap: .seconds(3))
    /// The stacks as configured: their `forge:` and repository URL.
    private let configured: [StackConfiguration]
    nonisolated let origins: WebhookOrigins
    private var budget = NotificationBudget()
    /// Stacks whose last run failed: their next success is a recovery.
    private var failing: Set<String> = []
    /// Stacks with drift: drift growing is not news, drift appearing is.
    private var drifting: Set<String> = []

    init(configuration: AgentConfiguration, origins: WebhookOrigins, logger: Logger) {
        environment = configuration.environment
        redactor = Redactor.known(environment: configuration.environment)
        self.logger = logger
        self.origins = origins
        configured = configuration.stacks
    }

    var publicURL: String? {
        guard var url = environment["PLUMB_PUBLIC_URL"], !url.isEmpty else { return nil }
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    var notifyURL: String? {
        (environment["PLUMB_NOTIFY_URL"] ?? environment["PLUMB_DRIFT_WEBHOOK_URL"]).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The run page, else the status page; nil without `PLUMB_PUBLIC_URL`.
    func link(_ event: AgentEvent) -> String? {
        guard let base = publicURL else { return nil }
        return event.run.map { "\(base)/runs/\($0)" } ?? "\(base)/"
    }

    func handle(_ event: AgentEvent) async {
        switch event.type {
        case .runStarted:
            await setStatus(event, state: .pending, description: "applying \(event.commit?.prefix(12) ?? "")")
        case .runFinished:
            await setStatus(event, state: CommitStatus.state(of: event.outcome), description: event.oneLine)
            await notifyRun(event)
        case .driftAppeared, .driftCleared:
            await notifyDrift(event)
        case .chunkApplied, .chunkFailed, .checkPassed, .checkFailed:
            break
        }
    }

    /// SPEC §8.3's order: `forge:` / `--forge`, the repository URL's host, the webhook.
    func repository(stack: String, commit: String) -> ForgeRepository? {
        let stackConfiguration = configured.first { $0.name == stack } ?? (configured.count == 1 ? configured.first : nil)
        if let forge = stackConfiguration?.forge { return forge }
        if let repo = stackConfiguration?.repo, let named = ForgeRepository.named(byURL: repo, environment: environment) { return named }
        return origins.repository(for: commit)
    }

    private func setStatus(_ event: AgentEvent, state: CommitStatus.State, description: String) async {
        guard let commit = event.commit, commit.count == 40, let repository = repository(stack: event.stack, commit: commit) else { return }
        let status = CommitStatus(
            repository: repository, commit: commit, state: state, context: "plumb/\(event.stack)", description: redactor.redact(description),
            targetURL: link(event))
        guard let request = status.request(environment: environment) else { return }
        await send(request, what: "commit status", metadata: ["commit": "\(commit.prefix(12))", "state": "\(state.rawValue)"])
    }

    private func notifyRun(_ event: AgentEvent) async {
        let failed: Bool
        switch event.outcome {
        case .failed?, .invalid?, .reverted?: failed = true
        case .succeeded?, .unchanged?: failed = false
        default: return
        }
        let name: String
        let text: String
        let commit = event.commit.map { String($0.prefix(12)) } ?? "?"
        if failed {
            failing.insert(event.stack)
            name = "run_\(event.outcome?.rawValue ?? "failed")"
            text =
                "Plumb: stack \(event.stack), commit \(commit)\(event.author.map { " by \($0)" } ?? ""): \(event.outcome?.rawValue ?? "failed"): \(event.oneLine)"
        } else {
            guard failing.remove(event.stack) != nil else { return }
            name = "run_recovered"
            text = "Plumb: stack \(event.stack) recovered: commit \(commit) \(event.oneLine)"
        }
        await notify(event, name: name, text: text)
    }

    private func notifyDrift(_ event: AgentEvent) async {
        if event.type == .driftAppeared {
            guard drifting.insert(event.stack).inserted else { return }
        } else {
            guard drifting.remove(event.stack) != nil else { return }
        }
        let summary = event.drift
        let text =
            event.type == .driftCleared
            ? "Plumb: drift in stack \(event.stack) cleared"
            : "Plumb: drift in stack \(event.stack): \(summary?.modified ?? 0) modified, \(summary?.missing ?? 0) missing, \(summary?.unmanaged ?? 0) unmanaged"
                + (event.addresses.map { $0.isEmpty ? "" : " (" + $0.prefix(5).joined(separator: ", ") + ($0.count > 5 ? ", …" : "") + ")" } ?? "")
        var extra: [String: Any] = [:]
        if let summary { extra["summary"] = ["modified": summary.modified, "missing": summary.missing, "unmanaged": summary.unmanaged] }
        await notify(event, name: event.type.rawValue, text: text, extra: extra)
    }

    /// Slack-compatible (`text`) plus the fields SPEC §8.3 names.
    private func notify(_ event: AgentEvent, name: String, text: String, extra: [String: Any] = [:]) async {
        guard let url = notifyURL else { return }
        guard let held = budget.take(stack: event.stack) else {
            logger.info("notification held back", metadata: ["stack": "\(event.stack)", "event": "\(name)"])
            return
        }
        var payload: [String: Any] = extra
        let text = redactor.redact(text)
        payload["text"] = held > 0 ? text + " (\(held) earlier notification\(held == 1 ? "" : "s") held back)" : text
        payload["event"] = name
        payload["stack"] = event.stack
        payload["commit"] = event.commit ?? NSNull()
        payload["author"] = event.author ?? NSNull()
        payload["run"] = event.run.map { Int($0) as Any } ?? NSNull()
        payload["url"] = link(event) ?? NSNull()
        if let kind = event.errorKind { payload["error_kind"] = kind }
        guard let body = try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        await send(
            HTTPRequest(method: "POST", url: url, headers: [(name: "Content-Type", value: "application/json")], body: body, timeout: .seconds(10)),
            what: "notification", metadata: ["event": "\(name)"])
    }

    /// With retries on refused connections, timeouts, 429 and 5xx; never throws.
    private func send(_ request: HTTPRequest, what: String, metadata: Logger.Metadata) async {
        let http = self.http
        do {
            let response: HTTPResponse = try await retry.run { _ in
                do {
                    let response = try await http.send(request)
                    if response.status == 429 || response.status >= 500 {
                        return .retry(FeedbackError(description: "\(what): HTTP \(response.status)"), retryAfter: nil)
                    }
                    return .success(response)
                } catch let error as HTTPError where error.code == .connectionFailed || error.code == .timeout {
                    return .retry(error, retryAfter: nil)
                } catch {
                    return .failure(error)
                }
            }
            if !response.isSuccess {
                logger.warning("\(what) refused", metadata: metadata.merging(["status": "\(response.status)"]) { $1 })
            }
        } catch {
            logger.warning("\(what) failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }

    struct FeedbackError: Error, CustomStringConvertible {
        var description: String
    }
}

/// The forge repository named by the webhooks that announced recent commits: the last
/// resort for a commit status (SPEC §8.3). Bounded: the newest 256 commits.
final class WebhookOrigins: Sendable {
    private let entries = Locked<[(commit: String, repository: ForgeRepository)]>([])

    func record(commit: String?, source: WebhookEvent.Source, repository: String?) {
        guard let commit, commit.count == 40, let repository, ForgeRepository.isPath(repository, forge: source) else { return }
        entries.withLock { entries in
            entries.removeAll { $0.commit == commit }
            entries.append((commit, ForgeRepository(forge: source, path: repository)))
            if entries.count > 256 { entries.removeFirst(entries.count - 256) }
        }
    }

    func repository(for commit: String) -> ForgeRepository? {
        entries.withLock { $0.last { $0.commit == commit }?.repository }
    }
}
