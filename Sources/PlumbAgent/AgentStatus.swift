import Foundation
import PlumbCore
import PlumbStore

/// What `/status` says. The top-level fields SPEC §7 names (branch, last applied commit,
/// last run, drift) describe the first stack, so a one-stack agent reads as before; every
/// stack is under `stacks`, and `store` says whether the store answers.
public struct AgentStatus: Sendable, Encodable {
    public var agent: String
    public var store: StoreHealth
    public var stacks: [StackStatus]

    enum CodingKeys: String, CodingKey {
        case agent, store, stacks
    }

    public func encode(to encoder: any Encoder) throws {
        if let first = stacks.first { try first.encode(to: encoder) }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agent, forKey: .agent)
        try container.encode(store, forKey: .store)
        try container.encode(stacks, forKey: .stacks)
    }
}

/// Whether the store answered the last heartbeat.
public struct StoreHealth: Sendable, Codable {
    public var location: String
    public var available = true
    public var error: String?
    /// Agents sharing the store (heard from lately), this one included.
    public var agents = 1
}

/// One stack as its reconciler sees it.
public struct StackStatus: Sendable, Codable {
    public var stack: String?
    public var repo: String
    public var branch = "main"
    public var root: String
    /// Whether this agent holds the stack's lease and so may apply it.
    public var leased = false
    /// Who holds the lease when another agent does.
    public var holder: String?
    public var lastAppliedCommit: String?
    public var lastRun: RunSummary?
    public var drift: DriftReport.Summary?
    /// A head commit held by `--require-reviewed-plan`.
    public var held: String?
    /// The review plan (pull-request id) whose changes the last applied run made exactly;
    /// nil when no reviewer saw them.
    public var lastRunReviewedIn: String?
    public var lastError: String?
    /// When the fetch under way started (a mirrored repository), nil when none runs.
    public var fetchingSince: Date?
    /// Why the last fetch failed; nil once one succeeds.
    public var lastFetchError: String?
    /// What kind of error stopped the last reconcile outside the apply loop
    /// (`RunnerError.Kind`: `invalid_input`, `lock_held`, …, or `other`).
    public var lastErrorKind: String?
    /// The checks the stack owes (SPEC §8.5): until they pass, no commit is applied.
    public var failedChecks: FailedChecks?
    /// When the failing head is tried again (the backoff); nil while nothing fails.
    public var nextAttempt: Date?
    /// Failed attempts on the head in a row.
    public var failures = 0

    enum CodingKeys: String, CodingKey {
        case stack, repo, branch, root, leased, holder, drift, held, failures
        case fetchingSince = "fetching_since"
        case lastFetchError = "last_fetch_error"
        case failedChecks = "failed_checks"
        case nextAttempt = "next_attempt"
        case lastRunReviewedIn = "last_run_reviewed_in"
        case lastAppliedCommit = "last_applied_commit"
        case lastRun = "last_run"
        case lastError = "last_error"
        case lastErrorKind = "last_error_kind"
    }

    init(configuration: StackConfiguration) {
        stack = configuration.name
        repo = configuration.repo
        branch = configuration.branch
        root = configuration.root
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stack, forKey: .stack)
        try container.encode(repo, forKey: .repo)
        try container.encode(branch, forKey: .branch)
        try container.encode(root, forKey: .root)
        try container.encode(leased, forKey: .leased)
        try container.encode(holder, forKey: .holder)
        try container.encode(lastAppliedCommit, forKey: .lastAppliedCommit)
        try container.encode(lastRun, forKey: .lastRun)
        try container.encode(drift, forKey: .drift)
        try container.encode(held, forKey: .held)
        try container.encode(lastRunReviewedIn, forKey: .lastRunReviewedIn)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(fetchingSince, forKey: .fetchingSince)
        try container.encode(lastFetchError, forKey: .lastFetchError)
        try container.encode(lastErrorKind, forKey: .lastErrorKind)
        try container.encode(failedChecks, forKey: .failedChecks)
        try container.encode(nextAttempt, forKey: .nextAttempt)
        try container.encode(failures, forKey: .failures)
    }
}

public struct RunSummary: Sendable, Codable {
    public var id: Int64
    public var status: String
    public var commit: String?
    public var startedAt: Date
    public var finishedAt: Date?
    public var applied: Int
    public var agent: String?
    public var kind: String
    public var trigger: String

    init(_ record: RunRecord) {
        id = record.id
        status = record.status.rawValue
        commit = record.commit?.id
        startedAt = record.startedAt
        finishedAt = record.finishedAt
        applied = record.applied.count
        agent = record.agent
        kind = record.kind.rawValue
        trigger = record.trigger.rawValue
    }

    enum CodingKeys: String, CodingKey {
        case id, status, commit, applied, agent, kind, trigger
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}
