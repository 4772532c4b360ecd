import Foundation
import Logging
import PlumbCore
import PlumbGit
import PlumbRunner
import PlumbStore

/// Follows the branch: one reconcile at a time, with the same plan → chunked apply →
/// checks path as `plumb apply`. Triggers that arrive during a run coalesce into one
/// follow-up run on the newest commit (the trigger stream buffers one element).
public actor Reconciler {
    let configuration: AgentConfiguration
    let repository: GitRepository
    let store: StateStore
    let metrics: AgentMetrics
    let logger: Logger
    let notifier: Notifier
    let cache = DocumentCache()
    let triggers: AsyncStream<Trigger>
    private let continuation: AsyncStream<Trigger>.Continuation

    public internal(set) var status = AgentStatus()
    /// Set on graceful shutdown: the chunk in flight finishes, the rest are skipped.
    let stopFlag = StopFlag()

    public enum Trigger: Sendable {
        case headMoved(String)
        case heal
    }

    init(
        configuration: AgentConfiguration, repository: GitRepository, store: StateStore, metrics: AgentMetrics,
        logger: Logger, notifier: Notifier
    ) {
        self.notifier = notifier
        self.configuration = configuration
        self.repository = repository
        self.store = store
        self.metrics = metrics
        self.logger = logger
        (triggers, continuation) = AsyncStream.makeStream(of: Trigger.self, bufferingPolicy: .bufferingNewest(1))
        status.branch = configuration.branch
    }

    /// Queues a reconcile; at most one waits behind the one running.
    nonisolated func trigger(_ trigger: Trigger) {
        continuation.yield(trigger)
    }

    nonisolated func finishTriggers() {
        continuation.finish()
    }

    func restore() async throws {
        let head = try currentHead()
        let workspace = try workspace(at: head)
        let stack = try workspace.loadDesired().settings.stack
        status.stack = stack
        status.lastAppliedCommit = try await store.lastAppliedCommit(stack: stack)
        if let drift = try await store.latestDrift(stack: stack) { status.drift = drift.summary }
        status.lastRun = try await store.runs(limit: 1).first.map(RunSummary.init)
    }

    /// Fetches (for a mirror) and resolves the followed branch.
    func currentHead() throws -> GitCommit {
        if GitSource.isURL(configuration.repo) { try repository.fetch() }
        return try GitSource.resolve(configuration.branch, in: repository)
    }

    func workspace(at commit: GitCommit) throws -> Workspace {
        let tree = try GitCommitTree(repository: repository, commit: commit, name: GitSource.name(of: configuration.repo))
        return Workspace(
            tree: tree, source: PlanSource(repo: configuration.repo, ref: configuration.branch, commit: commit.id),
            commit: CommitInfo(id: commit.id, author: "\(commit.author) <\(commit.email)>", subject: commit.subject),
            stateDirectory: configuration.stateDirectory, environment: configuration.environment,
            git: repository, cache: cache)
    }

    /// One reconcile of the branch head; `force` applies even when the head is already
    /// applied (healing drift).
    func reconcile(force: Bool) async {
        let watch = Stopwatch()
        do {
            let head = try currentHead()
            if head.id == status.lastAppliedCommit && !force { return }
            let workspace = try workspace(at: head)
            var log = logger
            log[metadataKey: "commit"] = "\(head.id.prefix(12))"
            if configuration.requireReviewedPlan, try await holdUnreviewed(workspace, head: head, logger: log) { return }
            var request = ApplyRequest()
            request.command = force ? "heal" : "agent"
            if !force { request.focus = try focus(from: status.lastAppliedCommit, to: head, workspace: workspace) }
            let flag = stopFlag
            request.shouldStop = { flag.isSet }
            log.info("reconciling", metadata: ["subject": "\(head.subject)"])
            let outcome = try await workspace.apply(request)
            log[metadataKey: "run"] = "\(outcome.run)"
            metrics.recordRun(outcome: outcome, seconds: watch.seconds)
            status.lastRun = try await store.run(outcome.run).map(RunSummary.init)
            if outcome.plan.hasChanges {
                // Whether this merge made exactly the changes a reviewer saw.
                let reviews = try await store.reviewPlans(checksum: outcome.plan.changesChecksum, stack: outcome.plan.stack)
                status.lastRunReviewedIn = reviews.first { !$0.id.hasPrefix("held-") }?.id
                log.info("review", metadata: ["reviewed_in": "\(status.lastRunReviewedIn ?? "none")"])
            }
            if outcome.result.status != .failed {
                status.lastAppliedCommit = head.id
                status.lastError = nil
                status.stack = outcome.plan.stack
                log.info("applied", metadata: ["changes": "\(outcome.result.applied.count)"])
            } else {
                status.lastError = outcome.result.error
                log.error("apply stopped", metadata: ["error": "\(outcome.result.error ?? "")"])
            }
        } catch {
            status.lastError = "\(error)"
            metrics.recordFailure()
            logger.error("reconcile failed", metadata: ["error": "\(error)"])
        }
    }

    /// What a push touched: the resources declared in the documents that changed between the
    /// last applied commit and the head, at either commit. Nil (everything) when anything
    /// outside `Desired/` changed, or there is no applied commit yet.
    func focus(from applied: String?, to head: GitCommit, workspace: Workspace) throws -> Set<Address>? {
        guard let applied, let old = try? repository.resolve(applied) else { return nil }
        let changed = try repository.changedPaths(from: applied, to: head.id)
        guard changed.allSatisfy({ $0.hasPrefix("Desired/") }) else { return nil }
        var focus: Set<Address> = []
        for resource in try workspace.loadDesired().resources.values where changed.contains(resource.location?.file ?? "") {
            focus.insert(resource.address)
        }
        if let before = try? self.workspace(at: old).loadDesired() {
            for resource in before.resources.values where changed.contains(resource.location?.file ?? "") {
                focus.insert(resource.address)
            }
        }
        return focus
    }

    /// With `--require-reviewed-plan`: holds a head whose plan no review plan showed.
    private func holdUnreviewed(_ workspace: Workspace, head: GitCommit, logger: Logger) async throws -> Bool {
        let (desired, plan) = try await workspace.planDesired()
        guard plan.hasChanges else { return false }
        let reviewed = try await store.reviewPlans(checksum: plan.changesChecksum, stack: desired.settings.stack)
        if let match = reviewed.first {
            status.held = nil
            logger.info("plan matches the reviewed plan", metadata: ["review": "\(match.id)"])
            return false
        }
        let markdown = "**Held by Plumb:** the plan of \(head.id.prefix(12)) differs from every reviewed plan.\n\n" + PlanMarkdownRenderer().render(plan)
        try await store.saveReviewPlan(
            ReviewPlanRecord(id: "held-\(head.id)", head: head.id, base: nil, checksum: plan.changesChecksum, markdown: markdown),
            stack: desired.settings.stack)
        status.held = head.id
        logger.warning("holding an unreviewed plan", metadata: ["plan": "held-\(head.id)"])
        return true
    }

    func runLoop() async {
        for await trigger in triggers {
            if stopFlag.isSet { break }
            switch trigger {
            case .headMoved: await reconcile(force: false)
            case .heal: await reconcile(force: true)
            }
        }
    }
}

/// A flag set once, read from any thread.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
}
