import Foundation

/// What retention (`plumb agent --retain`) keeps whatever its age, the same in every store:
///
/// - each stack's newest run (the state the stack is in: a failed or interrupted run is
///   what the next run resumes from) and its newest successful run;
/// - runs still running;
/// - the runs `runsToKeep` names (checks owed a pass, SPEC §8.5);
/// - each stack's newest drift report (what `/status` shows after a restart);
/// - each stack's newest hold (`held-COMMIT` review plan), which the held commit waits on.
public enum StoreRetention {
    /// The prefix of a review plan recorded for a commit held by `require_reviewed_plan`.
    public static let heldPrefix = "held-"
}

extension StateStore {
    /// The runs retention keeps beyond the store's own rule (newest and newest successful run
    /// of each stack): those a record of checks still owed a pass names (SPEC §8.5), however
    /// old, so `plumb history show` can still explain why a commit is not applied.
    public func retentionKeeps() async throws -> Set<Int64> { try await runsToKeep() }
}

/// What one pruning removed, and the commits of the runs that remain (their checkouts stay).
public struct PruneOutcome: Sendable, Equatable {
    public var runs = 0
    public var driftReports = 0
    public var reviewPlans = 0
    public var remainingCommits: Set<String> = []

    public init(runs: Int = 0, driftReports: Int = 0, reviewPlans: Int = 0, remainingCommits: Set<String> = []) {
        self.runs = runs
        self.driftReports = driftReports
        self.reviewPlans = reviewPlans
        self.remainingCommits = remainingCommits
    }
}

/// The store is damaged or does not answer: what the check found.
public struct StoreIntegrityError: Error, CustomStringConvertible, Sendable {
    public var location: String
    public var problem: String

    public init(location: String, problem: String) {
        self.location = location
        self.problem = problem
    }

    public var description: String { "\(Self.prefix) \(location) failed its integrity check: \(problem)" }
    /// How every description starts.
    public static let prefix = "the store"
}
