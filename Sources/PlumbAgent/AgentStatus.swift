import Foundation
import PlumbCore
import PlumbStore

/// What `/status` says.
public struct AgentStatus: Sendable, Codable {
    public var stack: String?
    public var branch = "main"
    public var lastAppliedCommit: String?
    public var lastRun: RunSummary?
    public var drift: DriftReport.Summary?
    /// A head commit held by `--require-reviewed-plan`.
    public var held: String?
    /// The review plan (pull-request id) whose changes the last applied run made exactly;
    /// nil when no reviewer saw them.
    public var lastRunReviewedIn: String?
    public var lastError: String?

    enum CodingKeys: String, CodingKey {
        case stack, branch, drift, held
        case lastRunReviewedIn = "last_run_reviewed_in"
        case lastAppliedCommit = "last_applied_commit"
        case lastRun = "last_run"
        case lastError = "last_error"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stack, forKey: .stack)
        try container.encode(branch, forKey: .branch)
        try container.encode(lastAppliedCommit, forKey: .lastAppliedCommit)
        try container.encode(lastRun, forKey: .lastRun)
        try container.encode(drift, forKey: .drift)
        try container.encode(held, forKey: .held)
        try container.encode(lastRunReviewedIn, forKey: .lastRunReviewedIn)
        try container.encode(lastError, forKey: .lastError)
    }
}

public struct RunSummary: Sendable, Codable {
    public var id: Int64
    public var status: String
    public var commit: String?
    public var startedAt: Date
    public var finishedAt: Date?
    public var applied: Int

    init(_ record: RunRecord) {
        id = record.id
        status = record.status.rawValue
        commit = record.commit?.id
        startedAt = record.startedAt
        finishedAt = record.finishedAt
        applied = record.applied.count
    }

    enum CodingKeys: String, CodingKey {
        case id, status, commit, applied
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}
