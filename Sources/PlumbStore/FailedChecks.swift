import Foundation

/// The check that failed and is not forgotten (SPEC §8.5): per stack, which checks failed
/// for which commit and which changes were applied after the last passing check. While a
/// stack has one, no commit of it counts as applied: `apply`, `check` and every agent pass
/// run `checks` again (with every check whose `after:` matches `addresses`), and only
/// their passing clears it.
public struct FailedChecks: Sendable, Codable, Hashable {
    /// The commit whose checks failed; nil for a directory (`--root`).
    public var commit: String?
    /// The run in which they first failed ("checks that failed on run N now pass").
    public var run: Int64
    /// The newest run in which they failed again.
    public var lastRun: Int64
    /// The names of the checks that failed.
    public var checks: [String]
    /// Addresses applied after the last passing check, sorted.
    public var addresses: [String]
    /// Whether that commit's plan was applied whole, so only its checks are owed (the agent
    /// then runs the checks alone instead of planning again).
    public var complete: Bool
    public var at: Date

    public init(commit: String?, run: Int64, lastRun: Int64, checks: [String], addresses: [String], complete: Bool, at: Date = Date()) {
        self.commit = commit
        self.run = run
        self.lastRun = lastRun
        self.checks = checks
        self.addresses = addresses
        self.complete = complete
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case commit, run, checks, addresses, complete, at
        case lastRun = "last_run"
    }
}
