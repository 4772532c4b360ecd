import Foundation
import PlumbCore
import PlumbStore

/// What to apply and how.
public struct ApplyRequest: Sendable {
    public var adopt: Set<Address> = []
    public var targets: [String] = []
    /// Only these addresses (the agent's incremental reconcile).
    public var focus: Set<Address>?
    public var force = false
    /// A plan saved by `plan --format json`, applied only if the inventory has not moved.
    public var savedPlan: Plan?
    /// Recorded with the run: `apply`, `agent`, `heal`.
    public var command = "apply"
    /// The run's kind and trigger (SPEC §8.4).
    public var origin = RunOrigin.cli
    /// Checked before each chunk (graceful shutdown of the agent).
    public var shouldStop: @Sendable () -> Bool = { false }
    /// The stack's lease on a shared store, when the caller (the agent) holds it already;
    /// otherwise `apply` takes one itself for the run.
    public var lease: (any StackLease)?

    public init() {}
}

/// What an apply did, for output and exit codes.
public struct ApplyOutcome: Sendable {
    public var plan: Plan
    public var result: ApplyResult
    public var run: Int64
    public var timings: [StageTiming]
    /// Runs of this stack found interrupted (their process died) before this one started.
    public var interrupted: [InterruptedRun]
    /// The checks the stack owed, run again after the plan (SPEC §8.5).
    public var recheck: Recheck?
    /// What the stack still owes after this run; nil once everything passed.
    public var owed: FailedChecks?
    /// "checks that failed on run N now pass".
    public var note: String?

    public init(
        plan: Plan, result: ApplyResult, run: Int64, timings: [StageTiming], interrupted: [InterruptedRun],
        recheck: Recheck? = nil, owed: FailedChecks? = nil, note: String? = nil
    ) {
        self.plan = plan
        self.result = result
        self.run = run
        self.timings = timings
        self.interrupted = interrupted
        self.recheck = recheck
        self.owed = owed
        self.note = note
    }

    /// Whether the commit counts as applied: every chunk and every owed check passed (a
    /// reverted run put its changes back: not applied).
    public var succeeded: Bool { result.status != .failed && result.status != .reverted && recheck?.passed != false }

    /// SPEC §5 and §8.4: 0 success, 1 failed before changing anything, 3 stopped part-way
    /// (which includes a change whose owed check still fails), 4 a check failed and every
    /// change the run applied was put back.
    public var exitCode: Int32 {
        if recheck?.passed == false { return 3 }
        switch result.status {
        case .succeeded, .unchanged: return 0
        case .reverted: return 4
        case .failed: return result.changedAnything ? 3 : 1
        }
    }
}

extension Workspace {
    /// One apply of this workspace's desired state: lock the stack, recover interrupted
    /// runs, plan, enforce safety, confirm, apply chunk by chunk, record everything.
    public func apply(
        _ request: ApplyRequest, confirm: (Plan) throws -> Void = { _ in },
        onEvent: @escaping @Sendable (ApplyEvent) -> Void = { _ in }
    ) async throws -> ApplyOutcome {
        let desired: DesiredState
        let loadSeconds: Double
        do {
            (desired, loadSeconds) = try loadDesiredTimed()
        } catch let invalid as RunnerError where !invalid.diagnostics.isEmpty {
            // Recorded where a history exists already; invalid input creates nothing.
            if existingStore() != nil {
                _ = try? await recordInvalid(
                    invalid, stack: DesiredStateLoader(environment: environment).stackName(tree), origin: request.origin, command: request.command)
            }
            throw invalid
        }
        let stack = desired.settings.stack
        let store = try openStore()
        let lock: StackLock
        do {
            // Beside the SQLite file when there is one, so two processes sharing `sqlite:PATH`
            // with different --state directories still apply a stack one at a time.
            let directory = (store as? SQLiteStateStore).map { ($0.path as NSString).deletingLastPathComponent } ?? stateDirectory
            lock = try StackLock(directory: directory, stack: stack, purpose: "plumb \(request.command)")
        } catch let held as StackLock.Held {
            throw RunnerError(.lockHeld, message: held.description)
        }
        defer { withExtendedLifetime(lock) {} }
        let lease: any StackLease
        if let given = request.lease {
            guard given.stack == stack else {
                throw RunnerError(.invalidInput, message: "the lease held is for stack \(given.stack), but the desired state is stack \(stack)")
            }
            lease = given
        } else {
            lease = try await Self.takeLease(stack: stack, store: store, purpose: "plumb \(request.command)")
        }
        do {
            let outcome = try await apply(
                request, desired: desired, loadSeconds: loadSeconds, store: store, lease: lease, confirm: confirm, onEvent: onEvent)
            if request.lease == nil { await lease.release() }
            return outcome
        } catch {
            if request.lease == nil { await lease.release() }
            throw error
        }
    }

    /// The apply itself, with the stack locked and leased. Checks a stack still owes (SPEC
    /// §8.5) run again after the plan's chunks, even when the plan is empty; until they
    /// pass, the commit is not recorded as applied.
    private func apply(
        _ request: ApplyRequest, desired: DesiredState, loadSeconds: Double, store: any StateStore, lease: any StackLease,
        confirm: (Plan) throws -> Void, onEvent: @escaping @Sendable (ApplyEvent) -> Void
    ) async throws -> ApplyOutcome {
        let stack = desired.settings.stack
        let interrupted = try await store.recoverInterrupted(stack: stack)
        let providers = try providers(for: desired)
        // Revert mode: a run killed while reverting is finished first; one killed before it
        // reverted hands its changes to this run, which puts them back too if it reverts.
        var carried: [Change] = []
        for run in interrupted where !run.reversible.isEmpty {
            if run.reverting {
                try await finishRevert(of: run.id, changes: run.reversible, desired: desired, providers: providers, store: store, onEvent: onEvent)
            } else if desired.settings.onFailure == .revert {
                carried += run.reversible
            }
        }
        let prior = try await store.prior(stack: stack)
        let owed = try await store.failedChecks(stack: stack)
        let outcome = try await plan(
            desired, prior: prior, options: PlanOptions(adopt: request.adopt, targets: request.targets, focus: request.focus), providers: providers)
        let plan = try Self.choose(saved: request.savedPlan, fresh: outcome.plan)
        do {
            try Self.enforceSafety(plan, force: request.force)
        } catch let refused as RunnerError {
            // A refusal is an outcome too: recorded with the plan it refused (SPEC §8.4).
            let run = try await store.beginRun(stack: stack, command: request.command, origin: request.origin, source: source, commit: commit)
            try await store.finishRun(run, status: .refused, plan: plan, result: nil, error: refused.message)
            throw refused
        }
        if plan.hasChanges { try confirm(plan) }

        let run = try await store.beginRun(stack: stack, command: request.command, origin: request.origin, source: source, commit: commit)
        onEvent(.runRecorded(id: run))
        // The plan's JSON (large for a bulk import) is encoded for the history while the
        // provider works, not after.
        let planText = Task.detached { try JSONOutput.encode(plan) }
        let recorder = store.recorder(run: run)
        if !carried.isEmpty { try await recorder.journal(.carried(carried), chunk: 0) }
        await recorder.timing("load", detail: nil, seconds: loadSeconds)
        for (stage, seconds) in outcome.timings { await recorder.timing(stage, detail: nil, seconds: seconds) }
        let executor: CheckExecutor? = if plan.hasChanges || owed != nil { try checkExecutor(desired: desired) } else { nil }
        var applier = Applier(
            providers: providers, scopes: outcome.scopes, context: ApplyContext(stack: stack),
            checks: desired.checks, executor: executor, recorder: recorder, onEvent: onEvent)
        applier.onFailure = desired.settings.onFailure
        // A holder that lost its lease stops at the next chunk boundary.
        let shouldStop = request.shouldStop
        applier.shouldStop = { shouldStop() || !lease.isHeld }
        var result = await applier.apply(plan)
        if result.status == .reverted, !carried.isEmpty {
            result = try await putBack(carried: carried, after: result, desired: desired, providers: providers, recorder: recorder, onEvent: onEvent)
        }
        var recheck: Recheck?
        if let owed, let executor, result.status != .failed, result.status != .reverted {
            // Owed checks this run already passed after one of its chunks are not run twice.
            let passed = Set(result.chunks.flatMap(\.checks).filter(\.passed).map(\.name))
            let due = OwedChecks.due(owed, checks: desired.checks).filter { !passed.contains($0.name) }
            recheck = Recheck(failedRun: owed.run, checks: await Self.run(due, executor: executor, recorder: recorder, onEvent: onEvent))
        }
        let stillOwed = OwedChecks.after(apply: result, rechecks: recheck?.checks ?? [], owed: owed, run: run, commit: commit?.id)
        let note = stillOwed == nil ? owed.map(OwedChecks.clearedNote) : nil
        let reverted = result.status == .reverted
        let failed = result.status == .failed || recheck?.passed == false
        let stopped = Task.isCancelled || request.shouldStop() || !lease.isHeld
        let status: RunRecord.Status =
            reverted ? .reverted : failed ? (stopped ? .interrupted : .failed) : result.status == .unchanged && owed == nil ? .unchanged : .succeeded
        let error = result.error ?? recheck.flatMap(Self.recheckMessage)
        let text = try FinishedRunText(
            plan: plan, planText: try await planText.value, result: plan.hasChanges ? result : nil, checks: recheck?.checks ?? [], note: note)
        try await store.finishRun(run, status: status, text: text, error: error)
        if stillOwed != owed { try await store.saveFailedChecks(stillOwed, stack: stack) }
        if lease.isHeld {
            let next = Self.priorAfter(prior, desired: desired, result: result)
            let applied = failed || reverted || stillOwed != nil ? nil : commit?.appliedID
            // The stack lock and lease are held: the prior read above is still the stored one.
            if next != prior {
                try await store.savePrior(next, stack: stack, commit: applied)
            } else if let applied {
                try await store.markApplied(applied, stack: stack)
            }
        } else {
            // A holder that lost the lease never moves the stack's applied commit (that is the
            // new holder's), but what it wrote stays owned: merged into the prior as it is now.
            let current = try await store.prior(stack: stack)
            try await store.savePrior(Self.priorAfter(current, desired: desired, result: result, failed: true), stack: stack, commit: nil)
        }
        let timings = try await store.timings(run: run)
        return ApplyOutcome(
            plan: plan, result: result, run: run, timings: timings, interrupted: interrupted, recheck: recheck, owed: stillOwed, note: note)
    }

    /// Runs checks one after another (each retried until its timeout), stopping at the
    /// first that fails, as after a chunk.
    static func run(
        _ checks: [Check], executor: CheckExecutor, recorder: any RunRecorder, onEvent: @Sendable (ApplyEvent) -> Void, stopAtFailure: Bool = true
    ) async -> [CheckResult] {
        var results: [CheckResult] = []
        for check in checks {
            onEvent(.checkStarted(name: check.name))
            let result = await executor.run(check)
            await recorder.timing("check", detail: check.name, seconds: result.durationMs / 1000)
            onEvent(.checkFinished(result))
            results.append(result)
            if stopAtFailure, !result.passed { break }
        }
        return results
    }

    /// Why a run whose owed checks still fail is not applied.
    public static func recheckMessage(_ recheck: Recheck) -> String? {
        guard let failed = recheck.checks.first(where: { !$0.passed }) else { return nil }
        return "check \(failed.name) still fails (it failed on run \(recheck.failedRun)): \(failed.detail)"
    }

    /// One writer per stack among everyone sharing the store (a local store grants it; the
    /// stack lock above already guards this machine).
    static func takeLease(stack: String, store: any StateStore, purpose: String) async throws -> any StackLease {
        let holder = "\(purpose) (pid \(getpid()) on \(ProcessInfo.processInfo.hostName))"
        guard let lease = try await store.coordinator.tryLease(stack: stack, agent: holder) else {
            let current = (try? await store.coordinator.holders(within: 3600))?[stack] ?? "another agent"
            throw RunnerError(.leaseHeld, message: "stack \(stack) is being applied by \(current) through \(store.location); wait for it or stop it")
        }
        return lease
    }

    /// The saved plan, if the inventory still hashes to what it observed.
    static func choose(saved: Plan?, fresh: Plan) throws -> Plan {
        guard let saved else { return fresh }
        guard saved.format == "plumb.plan/v1", saved.stack == fresh.stack else {
            throw RunnerError(.invalidInput, message: "the saved plan is for stack \(saved.stack), not \(fresh.stack)")
        }
        guard saved.observed == fresh.observed else {
            throw RunnerError(
                .stalePlan,
                message:
                    "the saved plan is stale: the live inventory changed since it was planned (observed \(saved.observed.prefix(12)), now \(fresh.observed.prefix(12))); plan again"
            )
        }
        return saved
    }

    static func enforceSafety(_ plan: Plan, force: Bool) throws {
        let blocking = plan.refusals.filter { !$0.overridable || !force }
        guard !blocking.isEmpty else { return }
        let lines = blocking.map { "  ✗ \($0.message)" }.joined(separator: "\n")
        throw RunnerError(.refused, message: "refused, nothing was changed:\n\(lines)")
    }

    /// What Plumb remembers after this run: on success the whole desired state; after a
    /// failure only what was applied, so protection and ownership are never lost.
    static func priorAfter(_ prior: PriorState, desired: DesiredState, result: ApplyResult, failed: Bool = false) -> PriorState {
        // Put back as it was: Plumb manages what it managed before the run.
        if result.status == .reverted { return prior }
        let applied = result.chunks.flatMap(\.changes).filter { $0.status == .applied }
        let deletes = Set(applied.filter { $0.action == .delete }.map(\.address))
        // An empty plan goes through the applier too (owed checks run after it): `unchanged`
        // still takes the desired state's flags (a cleared `protect: true`).
        if result.status == .succeeded || result.status == .unchanged, !failed { return prior.updated(by: desired, appliedDeletes: deletes) }
        let written = Set(applied.filter { $0.action != .delete }.map(\.address))
        let protected = desired.resources.values.filter { $0.protect && written.contains($0.address) }.map(\.address)
        return PriorState(
            managed: prior.managed.union(written).subtracting(deletes),
            protected: prior.protected.union(protected).subtracting(deletes))
    }
}
