import Foundation
import PlumbCore

/// A run as history shows it.
public struct RunRecord: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable, Hashable {
        case running, succeeded, failed, unchanged, refused
        /// The process stopped (killed, crashed, shut down) before the run finished.
        case interrupted
        /// A check failed and `on_failure: revert` put back every change the run applied.
        case reverted
        /// The commit did not load or validate: `diagnostics` say where and why.
        case invalid
    }

    public var id: Int64
    public var stack: String
    public var command: String
    /// What the run did and what started it; runs stored before kinds existed read as
    /// `apply` / `cli`.
    public var kind: RunOrigin.Kind
    public var trigger: RunOrigin.Trigger
    public var status: Status
    public var startedAt: Date
    public var finishedAt: Date?
    public var commit: CommitInfo?
    public var summary: Plan.Summary?
    public var applied: [String]
    public var notApplied: [String]
    /// The changes `on_failure: revert` put back.
    public var reverted: [String] = []
    public var error: String?
    public var timings: [StageTiming]
    /// The agent that ran it (`plumb agent --agent-id`, by default host:pid); nil for the
    /// command line.
    public var agent: String?
    /// Every check the run ran: its chunks' (with their figures, SPEC §8.7), then those it
    /// ran outside any chunk (`plumb check`, checks owed by an earlier run, SPEC §8.5).
    public var checks: [CheckResult] = []
    /// Every chunk's outcome: its changes, its checks with their durations (absent for a
    /// run that had nothing to apply or did not finish).
    public var chunks: [ChunkResult]? = nil
    /// Why an `invalid` commit did not load, each with file:line:column.
    public var diagnostics: [Diagnostic] = []
    /// For people, beside the status: "checks that failed on run 4 now pass".
    public var note: String?
    /// Chunk by chunk (changes and their checks): only `run(_:)` reads it, lists leave it nil.
    public var result: ApplyResult?
    /// The plan the run applied or refused: only `run(_:)` reads it.
    public var plan: Plan?

    enum CodingKeys: String, CodingKey {
        case id, stack, command, kind, trigger, status, commit, summary, applied, error, timings, agent, checks, reverted, chunks, diagnostics, note,
            result, plan
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case notApplied = "not_applied"
    }
}

/// The commit a run applied: its provenance.
public struct CommitInfo: Sendable, Codable, Hashable {
    public var id: String
    public var author: String?
    public var subject: String?
    /// A run from a git work tree whose files Plumb reads differed from the commit
    /// (uncommitted changes): `id` is HEAD, but not what was applied.
    public var dirty: Bool?

    public init(id: String, author: String?, subject: String?, dirty: Bool? = nil) {
        self.id = id
        self.author = author
        self.subject = subject
        self.dirty = dirty == true ? true : nil
    }

    /// The commit that was applied: none when the work tree had uncommitted changes.
    public var appliedID: String? { dirty == true ? nil : id }
}

public struct StageTiming: Sendable, Codable, Hashable {
    public var stage: String
    public var detail: String?
    public var seconds: Double

    public init(stage: String, detail: String?, seconds: Double) {
        self.stage = stage
        self.detail = detail
        self.seconds = seconds
    }
}

/// A run found still `running` when the stack's lock was free: its process died. Its
/// journal says which changes were intended but never confirmed.
public struct InterruptedRun: Sendable, Hashable {
    public var id: Int64
    public var pending: [String]
    /// With `on_failure: revert`: every change the run set out to write, whole (with the
    /// value it replaced), in the order written.
    public var reversible: [Change]
    /// Whether it had started putting them back. The next run finishes that first; if it
    /// had not, the next run carries them and puts them back too should its own check fail.
    public var reverting: Bool

    public init(id: Int64, pending: [String], reversible: [Change] = [], reverting: Bool = false) {
        self.id = id
        self.pending = pending
        self.reversible = reversible
        self.reverting = reverting
    }
}
