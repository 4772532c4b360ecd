import Foundation
import PlumbCore
import PlumbStore

/// The checks a stack still owes (SPEC §8.5, "a check that failed is not forgotten"), as
/// values: which to run again, and what to remember after a run. `Workspace.apply` and
/// `Workspace.check` use it; nothing here runs a probe.
public enum OwedChecks {
    /// The checks of `checks` (the current desired state's) a record obliges: those that
    /// failed, and every check whose `after:` matches a change applied since the last
    /// passing check. A failed check the current commit no longer declares is owed no more:
    /// a new commit supersedes the record only through its own checks.
    public static func due(_ owed: FailedChecks, checks: [Check]) -> [Check] {
        let names = Set(owed.checks)
        let addresses = owed.addresses.compactMap(Address.init)
        return checks.filter { names.contains($0.name) || $0.applies(to: addresses) }
    }

    /// What a run of `apply` leaves owed: nil when nothing failed (or only a write failed
    /// and nothing was owed before).
    /// - `result`: the chunks this run applied (their checks ran with them).
    /// - `rechecks`: the owed checks this run ran again after its chunks.
    public static func after(
        apply result: ApplyResult, rechecks: [CheckResult], owed: FailedChecks?, run: Int64, commit: String?, now: Date = Date()
    ) -> FailedChecks? {
        // `on_failure: revert` put back every change the run applied: its failed checks were
        // about changes no longer there, so they are not owed (what was owed before still is).
        if result.status == .reverted { return owed }
        let failedInChunk = result.chunks.first { $0.checks.contains { !$0.passed } }
        let failedAgain = rechecks.filter { !$0.passed }.map(\.name)
        guard failedInChunk != nil || !failedAgain.isEmpty else {
            // Everything this run checked passed. A run that stopped on a write before the
            // owed checks ran them leaves the record as it was.
            return result.status == .failed ? owed : nil
        }
        var checks = Set(owed?.checks ?? []).union(failedAgain)
        var addresses = Set(owed?.addresses ?? [])
        if let chunk = failedInChunk {
            checks.formUnion(chunk.checks.filter { !$0.passed }.map(\.name))
            addresses.formUnion(chunk.changes.filter { $0.status == .applied || $0.status == .unconfirmed }.map(\.address.description))
        }
        // Checks that ran again and passed are no longer owed by name (their addresses
        // still oblige them until everything passes).
        checks.subtract(rechecks.filter(\.passed).map(\.name))
        return FailedChecks(
            commit: commit, run: owed?.run ?? run, lastRun: run, checks: checks.sorted(), addresses: addresses.sorted(),
            complete: result.notApplied.isEmpty, at: now)
    }

    /// What `plumb check` leaves owed: nil when every owed check ran and passed; the record
    /// (with its newest run) when one of them failed; unchanged when `--only` left some out.
    public static func after(check results: [CheckResult], owed: FailedChecks, due: [Check], run: Int64) -> FailedChecks? {
        let ran = Dictionary(results.map { ($0.name, $0.passed) }, uniquingKeysWith: { $0 && $1 })
        if due.allSatisfy({ ran[$0.name] == true }) { return nil }
        var record = owed
        if due.contains(where: { ran[$0.name] == false }) { record.lastRun = run }
        return record
    }

    /// "checks that failed on run N now pass".
    public static func clearedNote(_ owed: FailedChecks) -> String {
        "checks that failed on run \(owed.run) now pass"
    }
}

/// The owed checks one run ran again, after its chunks.
public struct Recheck: Sendable, Encodable, Hashable {
    /// The run they first failed on.
    public var failedRun: Int64
    public var checks: [CheckResult]

    public var passed: Bool { checks.allSatisfy(\.passed) }

    public init(failedRun: Int64, checks: [CheckResult]) {
        self.failedRun = failedRun
        self.checks = checks
    }

    enum CodingKeys: String, CodingKey {
        case checks, passed
        case failedRun = "failed_run"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(failedRun, forKey: .failedRun)
        try container.encode(checks, forKey: .checks)
        try container.encode(passed, forKey: .passed)
    }
}
