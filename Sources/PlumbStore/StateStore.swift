import Foundation
import PlumbCore

/// Where Plumb keeps what it did: run history with journal and stage timings, each stack's
/// prior state and last applied commit, drift reports and review plans. Two implementations
/// share one schema: `SQLiteStateStore` (the default, a file under `--state`) and the
/// PostgreSQL store that agents on several machines share.
public protocol StateStore: Sendable {
    /// Names the store in messages; never holds a password.
    var location: String { get }

    func beginRun(stack: String, command: String, origin: RunOrigin, source: PlanSource, commit: CommitInfo?) async throws -> Int64
    func finishRun(_ id: Int64, status: RunRecord.Status, text: FinishedRunText, error: String?) async throws
    func recorder(run: Int64) -> any RunRecorder
    /// Marks runs of `stack` left `running` as interrupted. Call it while holding the stack's
    /// lock or lease: a run still marked running then belongs to a process that is gone.
    func recoverInterrupted(stack: String) async throws -> [InterruptedRun]

    func prior(stack: String) async throws -> PriorState
    func savePrior(_ prior: PriorState, stack: String, commit: String?) async throws
    /// `commit` becomes the stack's applied commit; the prior state stays as it is (empty
    /// for a stack never saved). What `savePrior` of an unchanged prior does, without
    /// encoding and writing it again: 10,000 addresses cost 15 ms of every push.
    func markApplied(_ commit: String, stack: String) async throws
    func lastAppliedCommit(stack: String) async throws -> String?
    /// The stack's newest run that could have changed live state (id, status, commit),
    /// without decoding its plan or result: what every agent pass decides on. Runs that
    /// write nothing are passed over (an invalid commit, a refused plan, checks run on their
    /// own, a review), so none of them can hide a failed apply before it.
    func latestWritingRun(stack: String) async throws -> LatestRun?

    /// The newest runs first.
    func runs(limit: Int) async throws -> [RunRecord]
    /// The newest runs of commits whose id starts with `commitPrefix` (hex), newest first.
    func runs(limit: Int, commitPrefix: String) async throws -> [RunRecord]
    func run(_ id: Int64) async throws -> RunRecord?
    /// Every stage timing across runs, for `history --stats`.
    func allTimings() async throws -> [StageTiming]
    /// One run's stage timings (without decoding its plan and result).
    func timings(run: Int64) async throws -> [StageTiming]

    func saveDrift(_ report: DriftReport, stack: String, commit: String?) async throws
    func latestDrift(stack: String) async throws -> DriftReport?
    func saveReviewPlan(_ plan: ReviewPlanRecord, stack: String) async throws
    func reviewPlan(id: String) async throws -> ReviewPlanRecord?
    /// Review plans whose checksum matches: what reviewers saw for these changes.
    func reviewPlans(checksum: String, stack: String) async throws -> [ReviewPlanRecord]

    /// The stack's checks that failed and are owed a pass (SPEC §8.5), if any.
    func failedChecks(stack: String) async throws -> FailedChecks?
    /// Records (or, with nil, clears) the stack's failed checks.
    func saveFailedChecks(_ record: FailedChecks?, stack: String) async throws
    /// Runs that retention must keep whatever their age: the runs a `FailedChecks` record
    /// names (its first and its newest failure), which `apply` reports when they pass.
    func runsToKeep() async throws -> Set<Int64>
    /// Records a webhook delivery's key (its delivery id, or its body's hash) as seen `at`:
    /// true when the key was not seen within `window` before, false for a replay. Keys older
    /// than the window are forgotten. Atomic: of agents sharing the store that record the
    /// same key at once, one gets true.
    func recordDelivery(_ key: String, at: Date, window: TimeInterval) async throws -> Bool

    /// Who may apply which stack: one writer per stack among everyone sharing this store.
    var coordinator: any StackCoordinator { get }

    /// Throws `StoreIntegrityError` when the store is damaged (SQLite: `PRAGMA quick_check`
    /// on a connection of its own, so no cached page hides a damaged one) or does not answer.
    func checkIntegrity() async throws
    /// Deletes runs (with their journal and timings), drift reports and review plans from
    /// before `cutoff`, except what `StoreRetention` keeps and the runs in `keeping`.
    func prune(before cutoff: Date, keeping: Set<Int64>) async throws -> PruneOutcome
}

extension StateStore {
    public func runs() async throws -> [RunRecord] { try await runs(limit: 50) }

    /// A run of `plumb apply` (kind `apply`, trigger `cli`).
    public func beginRun(stack: String, command: String, source: PlanSource, commit: CommitInfo?) async throws -> Int64 {
        try await beginRun(stack: stack, command: command, origin: .cli, source: source, commit: commit)
    }

    public func finishRun(_ id: Int64, status: RunRecord.Status, plan: Plan?, result: ApplyResult?, error: String?) async throws {
        try await finishRun(id, status: status, text: try FinishedRunText(plan: plan, result: result), error: error)
    }
}

/// A review plan of a pull or merge request, as the agent computed it on its last event.
public struct ReviewPlanRecord: Sendable, Codable, Hashable {
    public var id: String
    public var head: String
    public var base: String?
    /// SHA-256 of the plan's changes: the same changes give the same checksum.
    public var checksum: String
    public var markdown: String
    public var at: Date

    public init(id: String, head: String, base: String?, checksum: String, markdown: String, at: Date = Date()) {
        self.id = id
        self.head = head
        self.base = base
        self.checksum = checksum
        self.markdown = markdown
        self.at = at
    }
}

/// A run as a pass needs it: which, how it ended, for which commit.
public struct LatestRun: Sendable, Equatable {
    public var id: Int64
    public var status: RunRecord.Status
    public var commit: String?

    public init(id: Int64, status: RunRecord.Status, commit: String?) {
        self.id = id
        self.status = status
        self.commit = commit
    }
}
