import Foundation
import PlumbCore
import PlumbStore

/// What `plumb check` did.
public struct CheckOutcome: Sendable {
    public var stack: String
    public var run: Int64
    public var results: [CheckResult]
    /// What the stack still owes after this run (SPEC §8.5); nil once every owed check passed.
    public var owed: FailedChecks?
    /// "checks that failed on run N now pass".
    public var note: String?

    public var passed: Bool { results.allSatisfy(\.passed) }
    /// SPEC §8.4: 0 when every check passed, 3 when one failed.
    public var exitCode: Int32 { passed ? 0 : 3 }
}

extension Workspace {
    /// `plumb check`: runs the stack's checks (all, or those named in `only`) against the
    /// live infrastructure now, every one of them, and records a run of kind `check`. When
    /// they include every check the stack owes and all pass, the owed record is cleared, and
    /// a commit whose plan was applied whole counts as applied. `owedOnly` (the agent's
    /// checks-only pass) runs just the checks the stack owes, stopping at the first failure.
    public func check(
        only: [String], owedOnly: Bool = false, origin: RunOrigin = RunOrigin(kind: .check, trigger: .cli),
        onEvent: @escaping @Sendable (ApplyEvent) -> Void = { _ in }
    ) async throws -> CheckOutcome {
        let desired = try loadDesired()
        let stack = desired.settings.stack
        let names = Set(desired.checks.map(\.name))
        if let unknown = only.first(where: { !names.contains($0) }) {
            let known = names.sorted().joined(separator: ", ")
            throw RunnerError(message: "--only \(unknown): stack \(stack) has no check of that name (its checks: \(known.isEmpty ? "none" : known))")
        }
        var selected = only.isEmpty ? desired.checks : desired.checks.filter { only.contains($0.name) }
        let store = try openStore()
        let directory = (store as? SQLiteStateStore).map { ($0.path as NSString).deletingLastPathComponent } ?? stateDirectory
        let lock: StackLock
        do {
            lock = try StackLock(directory: directory, stack: stack, purpose: "plumb check")
        } catch let held as StackLock.Held {
            throw RunnerError(.lockHeld, message: held.description)
        }
        defer { withExtendedLifetime(lock) {} }
        let owed = try await store.failedChecks(stack: stack)
        if owedOnly { selected = owed.map { OwedChecks.due($0, checks: desired.checks) } ?? [] }
        let run = try await store.beginRun(stack: stack, command: "check", origin: origin, source: source, commit: commit)
        let executor = try checkExecutor(desired: desired)
        let results = await Self.run(selected, executor: executor, recorder: store.recorder(run: run), onEvent: onEvent, stopAtFailure: owedOnly)
        let stillOwed = owed.flatMap { OwedChecks.after(check: results, owed: $0, due: OwedChecks.due($0, checks: desired.checks), run: run) }
        let note = stillOwed == nil ? owed.map(OwedChecks.clearedNote) : nil
        let failure = results.first { !$0.passed }.map { "check \($0.name) failed: \($0.detail)" }
        try await store.finishRun(
            run, status: failure == nil ? .succeeded : .failed, text: try FinishedRunText(plan: nil, result: nil, checks: results, note: note),
            error: failure)
        if stillOwed != owed { try await store.saveFailedChecks(stillOwed, stack: stack) }
        if let owed, stillOwed == nil, owed.complete, let id = commit?.appliedID, owed.commit == id {
            // That commit's plan was applied whole; only its checks were owed.
            try await store.markApplied(id, stack: stack)
        }
        return CheckOutcome(stack: stack, run: run, results: results, owed: stillOwed, note: note)
    }
}
