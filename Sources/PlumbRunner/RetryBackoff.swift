import Foundation

/// How long the agent waits before trying a failing commit again: the poll interval after
/// the first failure, doubling after each further one, never more than 30 minutes
/// (Docs/agent.md). A new commit, a webhook naming a new head, or the owed checks passing
/// (a `plumb check`) start over.
public struct RetryBackoff: Sendable, Hashable {
    /// The longest wait between two attempts.
    public static let ceiling: TimeInterval = 30 * 60

    /// The commit that failed; nil while nothing fails.
    public private(set) var commit: String?
    /// Failed attempts on `commit` in a row.
    public private(set) var failures = 0
    /// Not before then (for `commit`).
    public private(set) var nextAttempt: Date?
    /// Whether the last failure was a check (a passing `plumb check` then lifts the wait).
    public private(set) var checksFailed = false

    public init() {}

    /// The wait after `failures` failures in a row.
    public static func delay(failures: Int, interval: TimeInterval) -> TimeInterval {
        guard failures > 0 else { return 0 }
        let exponent = Double(min(failures - 1, 30))
        return min(max(interval, 0.001) * pow(2, exponent), ceiling)
    }

    /// One more failed attempt on `commit`, which ended at `now`.
    public mutating func failed(commit: String, interval: TimeInterval, now: Date, checks: Bool) {
        if commit != self.commit { failures = 0 }
        self.commit = commit
        failures += 1
        checksFailed = checks
        nextAttempt = now.addingTimeInterval(Self.delay(failures: failures, interval: interval))
    }

    public mutating func reset() {
        self = RetryBackoff()
    }

    /// Whether a pass for `head` at `now` must wait.
    public func holds(head: String, now: Date) -> Bool {
        guard let commit, let nextAttempt else { return false }
        return commit == head && now < nextAttempt
    }
}
