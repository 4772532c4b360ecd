import Foundation
import Logging
import PlumbCore
import PlumbGit
import PlumbProviderKit
import PlumbRunner
import PlumbStore

/// Follows one stack's branch: one reconcile at a time, with the same plan → chunked
/// apply → checks path as `plumb apply`. Triggers that arrive during a run coalesce into
/// one follow-up run on the newest commit (the trigger stream buffers one element). It
/// applies only while it holds the stack's lease (`LeaseKeeper` hands leases out), and
/// reads the last applied commit from the store before every run, so an agent that takes a
/// stack over resumes where the previous holder stopped.
public actor Reconciler {
    let stack: StackConfiguration
    let agent: AgentConfiguration
    let repository: GitRepository
    let store: any StateStore
    let metrics: AgentMetrics
    /// Checked after any failed pass: a store error may be a damaged store.
    let monitor: StoreMonitor
    let notifier: Notifier
    /// Where runs and drift are told as they happen (`/events`, statuses, notifications).
    let events: EventBus
    /// When the newest unserved trigger arrived: the start of push-to-live.
    nonisolated let arrivals = ArrivalClock()
    /// Shared by every stack of the agent: how many reconcile at once.
    let slots: ConcurrencyLimiter
    let cache = DocumentCache()
    let triggers: AsyncStream<Trigger>
    private let continuation: AsyncStream<Trigger>.Continuation
    var logger: Logger

    public internal(set) var status: StackStatus
    /// The stack's name: configured, or read from the branch head at start.
    private(set) var name: String?
    private(set) var lease: (any StackLease)?
    /// Reconciles and drift passes under way: a lease is never handed back mid-run.
    private var inFlight = 0
    var busy: Bool { inFlight > 0 }
    /// Shared by the stacks of one repository: one fetch serves every stack a push triggers.
    let fetcher: MirrorFetcher
    /// `restore()` has read what the store remembers of the stack.
    private var restored = false
    /// The last diagram drawn for the status page, and the commit it shows.
    var diagram: (commit: String, svg: String?)?
    /// What the last focused head declares (see `focus`).
    private var declaredAt: (commit: String, declarations: DeclaredResources)?
    /// Set on graceful shutdown: the chunk in flight finishes, the rest are skipped.
    let stopFlag = StopFlag()

    public enum Trigger: Sendable {
        /// The branch may have moved: found by `via` (a webhook names the head it saw).
        case headMoved(RunOrigin.Trigger, head: String?)
        case heal
    }

    /// When the head failed lately: not before its next attempt (SPEC §8.5 backoff).
    var backoff = RetryBackoff()

    init(
        stack: StackConfiguration, agent: AgentConfiguration, repository: GitRepository, store: any StateStore,
        metrics: AgentMetrics, monitor: StoreMonitor, logger: Logger, notifier: Notifier, slots: ConcurrencyLimiter,
        fetcher: MirrorFetcher, events: EventBus = EventBus()
    ) {
        self.monitor = monitor
        self.events = events
        self.fetcher = fetcher
        self.stack = stack
        self.agent = agent
        self.notifier = notifier
        self.repository = repository
        self.store = store
        self.metrics = metrics
        self.slots = slots
        var logger = logger
        if let name = stack.name { logger[metadataKey: "stack"] = "\(name)" }
        self.logger = logger
        name = stack.name
        (triggers, continuation) = AsyncStream.makeStream(of: Trigger.self, bufferingPolicy: .bufferingNewest(1))
        status = StackStatus(configuration: stack)
    }

    /// Queues a reconcile; at most one waits behind the one running.
    nonisolated func trigger(_ trigger: Trigger) {
        arrivals.mark()
        continuation.yield(trigger)
    }

    nonisolated func finishTriggers() {
        continuation.finish()
    }

    /// Learns the stack's name (from the branch head when not configured) and what the
    /// store remembers of it. Retried by the lease keeper until it succeeds.
    func restore() async throws -> String {
        if let name, restored { return name }
        let resolved: String
        if let name {
            resolved = name
        } else {
            resolved = try workspace(at: try await currentHead()).loadDesired().settings.stack
            logger[metadataKey: "stack"] = "\(resolved)"
        }
        name = resolved
        status.stack = resolved
        status.lastAppliedCommit = try await store.lastAppliedCommit(stack: resolved)
        if let drift = try await store.latestDrift(stack: resolved) { status.drift = drift.summary }
        status.lastRun = try await store.runs(limit: 50).first { $0.stack == resolved }.map(RunSummary.init)
        restored = true
        return resolved
    }

    /// The lease keeper got this stack's lease: reconcile from the recorded last applied commit.
    func leaseTaken(_ lease: any StackLease) {
        self.lease = lease
        status.leased = true
        status.holder = agent.agentID
        logger.info("took the stack's lease", metadata: ["agent": "\(agent.agentID)"])
        trigger(.headMoved(.start, head: nil))
    }

    /// The lease is gone (lost): a run in flight stops at its next chunk.
    func leaseEnded(holder: String? = nil) {
        lease = nil
        status.leased = false
        status.holder = holder
    }

    /// Gives the lease up if nothing runs: checked and cleared in one step on the actor,
    /// so no run can start between the two.
    func relinquishIfIdle() -> (any StackLease)? {
        guard inFlight == 0, let lease else { return nil }
        leaseEnded()
        return lease
    }

    /// Marks a run or drift pass under way; `finished()` ends it.
    func started() { inFlight += 1 }
    func finished() { inFlight -= 1 }

    /// The store failed its integrity check (or passes again): the stack's `last_error` says so.
    func storeChecked(problem: String?) {
        if let problem {
            status.lastError = problem
        } else if status.lastError?.hasPrefix(StoreIntegrityError.prefix) == true {
            status.lastError = nil
        }
    }

    func setHolder(_ holder: String?) {
        if lease == nil { status.holder = holder }
    }

    /// The status with the mirror's fetching, which the repository's stacks share.
    func currentStatus() async -> StackStatus {
        var current = status
        let fetch = await fetcher.state
        current.fetchingSince = fetch.fetchingSince
        current.lastFetchError = fetch.lastError
        return current
    }

    /// Fetches (for a mirror) and resolves the followed branch.
    func currentHead() async throws -> GitCommit {
        if GitSource.isURL(stack.repo) { try await fetcher.fetch(repository, askedAt: .now) }
        return try GitSource.resolve(stack.branch, in: repository)
    }

    func tree(at commit: GitCommit) throws -> GitCommitTree {
        try GitCommitTree(
            repository: repository, commit: commit, name: stack.name ?? GitSource.name(of: stack.repo), root: stack.root)
    }

    func workspace(at commit: GitCommit) throws -> Workspace {
        var workspace = Workspace(
            tree: try tree(at: commit),
            source: PlanSource(repo: stack.repo, ref: stack.branch, commit: commit.id),
            commit: CommitInfo(id: commit.id, author: "\(commit.author) <\(commit.email)>", subject: commit.subject),
            stateDirectory: agent.stateDirectory, environment: agent.environment,
            git: repository, cache: cache, store: store)
        workspace.knownSecrets = [stack.repoUserInfo?.password, URLUserInfo.split(agent.store ?? "").password].compactMap { $0 }
        return workspace
    }

    /// What a push touched: the resources whose declaration changed between the last
    /// applied commit and the head (`DeclaredResources`). Nil (everything) when anything of
    /// the stack outside `Desired/` changed, or there is no applied commit yet, or it does
    /// not load any more.
    func focus(from applied: String?, to head: GitCommit, workspace: Workspace) throws -> Set<Address>? {
        guard let applied, let old = try? repository.resolve(applied) else { return nil }
        // The head's tree is the workspace's: walking the commit again would cost a second
        // read of every path in the repository.
        guard let headTree = workspace.tree as? GitCommitTree else { return nil }
        // Paths outside the stack's folder belong to other stacks: they change nothing here.
        let changed = Set(try repository.changedPaths(from: applied, to: head.id).compactMap(headTree.relative))
        guard changed.allSatisfy({ $0.hasPrefix("Desired/") }) else { return nil }
        let now = DeclaredResources(try workspace.loadDesired())
        // The applied commit was the head of the pass before: its declarations are
        // remembered, not loaded and validated again (10,000 records: 40 ms of every push).
        let before =
            declaredAt?.commit == applied ? declaredAt?.declarations : (try? self.workspace(at: old).loadDesired()).map(DeclaredResources.init)
        declaredAt = (head.id, now)
        // Without what the applied commit declared (it no longer loads, say after an upgrade
        // added a rule), what the push removed is unknown: everything.
        guard let before else { return nil }
        return now.touched(since: before)
    }

    /// With `require_reviewed_plan`: holds a head whose review — its plan's changes, and
    /// the checks and trusted files changed since the last applied commit — matches no
    /// review computed on a pull/merge request. The agent's own `held-` records never count.
    func holdUnreviewed(_ workspace: Workspace, head: GitCommit, applied: String?, logger: Logger) async throws -> Bool {
        let (desired, plan) = try await workspace.planDesired()
        let review = try headReview(plan, desired: desired, workspace: workspace, applied: applied)
        guard plan.hasChanges || !review.checks.isEmpty || review.needsBindingReview else { return false }
        let reviewed = try await store.reviewPlans(checksum: review.checksum, stack: desired.settings.stack)
        if let match = reviewed.first(where: ReviewRule.countsAsReview) {
            status.held = nil
            logger.info("plan matches the reviewed plan", metadata: ["review": "\(match.id)"])
            return false
        }
        let markdown =
            "**Held by Plumb:** the plan of \(head.id.prefix(12)) differs from every reviewed plan.\n\n" + ReviewMarkdownRenderer().render(review)
        try await store.saveReviewPlan(
            ReviewPlanRecord(id: "held-\(head.id)", head: head.id, base: nil, checksum: review.checksum, markdown: markdown),
            stack: desired.settings.stack)
        status.held = head.id
        logger.warning("holding an unreviewed plan", metadata: ["plan": "held-\(head.id)"])
        return true
    }

    /// The head's review against the last applied commit: what a request review of the
    /// same change computed against its merge base.
    func headReview(_ plan: Plan, desired: DesiredState, workspace: Workspace, applied: String?) throws -> Review {
        // The first commit applied for a stack has nothing to compare its checks and
        // bindings with: its plan's changes alone must match (Docs/agent.md).
        guard let applied, let commit = try? repository.resolve(applied) else { return Review(plan: plan) }
        let before = try tree(at: commit)
        let checks = (try? self.workspace(at: commit).loadDesired().checks) ?? []
        return Review(
            plan: plan, checks: CheckChange.between(checks, desired.checks), trustedFiles: try TrustedFileChange.between(before, workspace.tree))
    }

    func runLoop() async {
        for await trigger in triggers {
            if stopFlag.isSet { break }
            switch trigger {
            case .headMoved(let via, let head): await pass(via, webhookHead: head)
            case .heal: await pass(.drift, webhookHead: nil)
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
