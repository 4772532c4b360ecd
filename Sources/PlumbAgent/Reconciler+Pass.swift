import Foundation
import Logging
import PlumbCore
import PlumbGit
import PlumbRunner
import PlumbStore

extension Reconciler {
    /// Statuses of a stack's newest run after which the live state may differ from the
    /// last applied commit in ways no changed document tells.
    static let unsettled: Set<RunRecord.Status?> = [.failed, .interrupted, .running]

    /// One pass over the branch head: gather what `PassDecision` needs, decide, carry it
    /// out. Nothing happens without the lease.
    func pass(_ trigger: RunOrigin.Trigger, webhookHead: String?) async {
        let triggeredAt = arrivals.take()
        guard let lease, lease.isHeld, let name else { return }
        started()
        defer { finished() }
        let head: GitCommit
        var inputs: PassDecision.Inputs
        do {
            head = try await currentHead()
            inputs = try await passInputs(trigger, head: head, webhookHead: webhookHead, stack: name)
        } catch {
            status.lastError = "\(error)"
            let kind = (error as? RunnerError)?.kind.rawValue ?? "other"
            status.lastErrorKind = kind
            metrics.recordFailure(kind: kind)
            logger.error("reconcile failed", metadata: ["error": "\(error)"])
            if let problem = await monitor.check() { status.lastError = problem }
            return
        }
        status.lastAppliedCommit = inputs.applied
        status.failedChecks = inputs.owed
        let decision = PassDecision.decide(inputs)
        logger.debug("pass", metadata: ["trigger": "\(trigger.rawValue)", "decision": "\(decision)", "commit": "\(head.id.prefix(12))"])
        switch decision {
        case .nothing:
            if backoff.commit != head.id { clearBackoff() }
            return
        case .recordApplied:
            do {
                try await store.markApplied(head.id, stack: name)
                status.lastAppliedCommit = head.id
                clearBackoff()
                // Someone following this commit learns it is live, with nothing to do.
                RunEvents(bus: events, stack: name, commit: head, kind: "apply", triggeredAt: nil).unchanged()
            } catch {
                logger.error("recording the applied commit failed", metadata: ["error": "\(error)"])
            }
            return
        case .backOff(let until):
            status.nextAttempt = until
            return
        case .keepReverted:
            if let id = inputs.revertedRun { status.lastError = (try? await store.run(id))??.error }
            logger.info("not retrying a reverted commit", metadata: ["commit": "\(head.id.prefix(12))", "run": "\(inputs.revertedRun ?? 0)"])
            return
        default:
            break
        }
        // A new head: the count starts over.
        if backoff.commit != nil, backoff.commit != head.id { clearBackoff() }
        await slots.acquire()
        // The wait for a slot may have been long: the lease must still be ours.
        if lease.isHeld, self.lease != nil {
            await carryOut(decision, inputs: inputs, head: head, stack: name, lease: lease, triggeredAt: triggeredAt)
        }
        await slots.release()
    }

    /// What the pass decides on, read from git and the store (not memory: another agent
    /// may have applied since this one last looked).
    private func passInputs(
        _ trigger: RunOrigin.Trigger, head: GitCommit, webhookHead: String?, stack name: String
    ) async throws -> PassDecision.Inputs {
        var inputs = PassDecision.Inputs(trigger: trigger, head: head.id, applied: try await store.lastAppliedCommit(stack: name))
        inputs.webhookHead = webhookHead
        inputs.owed = try await store.failedChecks(stack: name)
        // One row, not the last fifty runs decoded whole (a 10,000-change run's result is
        // megabytes of JSON: 46 ms of every push in scripts/bench-agent).
        let last = try await store.latestWritingRun(stack: name)
        inputs.lastRunUnsettled = Self.unsettled.contains(last?.status)
        // A commit whose checks failed and whose changes were put back is not tried again.
        if let last, last.status == .reverted, last.commit == head.id {
            inputs.revertedRun = last.id
        }
        inputs.root = stack.root
        if let applied = inputs.applied, applied != head.id, (try? repository.resolve(applied)) != nil {
            inputs.changedPaths = (try? repository.changedPaths(from: applied, to: head.id)).map { $0.sorted() }
        }
        inputs.review = stack.requireReviewedPlan ? .pending : .notRequired
        inputs.backoff = backoff
        inputs.now = Date()
        return inputs
    }

    private func carryOut(
        _ decision: PassDecision, inputs: PassDecision.Inputs, head: GitCommit, stack name: String, lease: any StackLease,
        triggeredAt: Date?
    ) async {
        let watch = Stopwatch()
        var log = logger
        log[metadataKey: "commit"] = "\(head.id.prefix(12))"
        let origin = RunOrigin(kind: inputs.trigger == .drift ? .heal : .apply, trigger: inputs.trigger)
        let told = RunEvents(bus: events, stack: name, commit: head, kind: origin.kind.rawValue, triggeredAt: triggeredAt)
        do {
            if decision.reconciles { told.started() }
            var workspace = try workspace(at: head)
            // A heal is started by drift, not by the commit's author.
            if inputs.trigger == .drift { workspace.commit?.author = nil }
            let declared: String
            do {
                declared = try workspace.loadDesired().settings.stack
            } catch let invalid as RunnerError where !invalid.diagnostics.isEmpty {
                let run = try await workspace.recordInvalid(invalid, stack: name, origin: origin, command: "agent")
                status.lastRun = try await store.run(run).map(RunSummary.init)
                failed(head: head.id, error: invalid.diagnostics.map(\.description).joined(separator: "\n"), checks: false)
                told.failed(invalid)
                log.error("invalid commit", metadata: ["run": "\(run)", "diagnostics": "\(invalid.diagnostics.count)"])
                return
            }
            guard declared == name else {
                throw RunnerError(
                    .invalidInput,
                    message: "the agent follows stack \(name) here, but \(workspace.tree.label) declares stack \(declared) in plumb.yaml")
            }
            var decision = decision
            if inputs.review == .pending, decision.reconciles {
                var reviewed = inputs
                reviewed.review = try await holdUnreviewed(workspace, head: head, applied: inputs.applied, logger: log) ? .unreviewed : .reviewed
                decision = PassDecision.decide(reviewed)
                if decision == .hold { told.held() }
            }
            switch decision {
            case .checksOnly:
                log.info("running the checks the stack owes", metadata: ["since_run": "\(inputs.owed?.run ?? 0)"])
                let outcome = try await workspace.check(only: [], owedOnly: true, origin: RunOrigin(kind: .check, trigger: inputs.trigger))
                status.lastRun = try await store.run(outcome.run).map(RunSummary.init)
                if outcome.passed, try await store.lastAppliedCommit(stack: name) != head.id {
                    // Nothing was owed any more (cleared meanwhile): the head still needs its
                    // own reconcile, at once.
                    status.failedChecks = outcome.owed
                    clearBackoff()
                    trigger(.headMoved(inputs.trigger, head: nil))
                    return
                }
                finish(
                    head: head.id, owed: outcome.owed, error: outcome.results.first { !$0.passed }.map { "check \($0.name) failed: \($0.detail)" },
                    log: log)
            case .focusedReconcile, .fullReconcile:
                var request = ApplyRequest()
                request.command = inputs.trigger == .drift ? "heal" : "agent"
                request.origin = origin
                request.lease = lease
                if decision == .focusedReconcile { request.focus = try focus(from: inputs.applied, to: head, workspace: workspace) }
                let flag = stopFlag
                request.shouldStop = { flag.isSet }
                log.info("reconciling", metadata: ["subject": "\(head.subject)", "trigger": "\(inputs.trigger.rawValue)"])
                let outcome = try await workspace.apply(request, onEvent: { told.relay($0) })
                // Told when this case ends, once the status says so: a page or a `follow` that
                // reads /status on this event must see this run, not the one before (the status
                // page showed a failed run's row under a green health in CI).
                defer { told.finished(outcome) }
                log[metadataKey: "run"] = "\(outcome.run)"
                metrics.recordRun(outcome: outcome, seconds: watch.seconds)
                status.lastRun = try await store.run(outcome.run).map(RunSummary.init)
                if outcome.plan.hasChanges {
                    // Whether this merge made exactly the changes a reviewer saw.
                    let reviews = try await store.reviewPlans(checksum: outcome.plan.changesChecksum, stack: outcome.plan.stack)
                    status.lastRunReviewedIn = reviews.first(where: ReviewRule.countsAsReview)?.id
                    log.info("review", metadata: ["reviewed_in": "\(status.lastRunReviewedIn ?? "none")"])
                }
                let error = outcome.succeeded ? nil : outcome.result.error ?? outcome.recheck.flatMap { Workspace.recheckMessage($0) }
                finish(head: head.id, owed: outcome.owed, error: error, log: log)
            default:
                return
            }
        } catch {
            let kind = (error as? RunnerError)?.kind.rawValue ?? "other"
            metrics.recordFailure(kind: kind)
            failed(head: head.id, error: "\(error)", checks: false)
            status.lastErrorKind = kind
            told.failed(error)
            log.error("reconcile failed", metadata: ["error": "\(error)"])
            if let problem = await monitor.check() { status.lastError = problem }
        }
    }

    /// After a run: applied (error nil) clears the error and the backoff; otherwise the
    /// error stays on `/status` and the next attempt waits.
    private func finish(head: String, owed: FailedChecks?, error: String?, log: Logger) {
        status.failedChecks = owed
        status.lastErrorKind = nil
        guard let error else {
            status.lastAppliedCommit = head
            status.lastError = nil
            clearBackoff()
            log.info("applied")
            return
        }
        failed(head: head, error: error, checks: owed != nil)
        log.error("not applied", metadata: ["error": "\(error)", "next_attempt": "\(status.nextAttempt.map { "\($0)" } ?? "-")"])
    }

    private func failed(head: String, error: String, checks: Bool) {
        status.lastError = error
        backoff.failed(commit: head, interval: stack.interval.seconds, now: Date(), checks: checks)
        status.nextAttempt = backoff.nextAttempt
        status.failures = backoff.failures
    }

    private func clearBackoff() {
        backoff.reset()
        status.nextAttempt = nil
        status.failures = 0
    }
}
