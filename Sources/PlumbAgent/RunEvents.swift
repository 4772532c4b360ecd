import Foundation
import PlumbCore
import PlumbGit
import PlumbHTTP
import PlumbRunner

/// One reconcile's events: what every event of the run shares (stack, commit, author,
/// when the agent learnt of the commit), and the run's id once the history has given it.
final class RunEvents: Sendable {
    let bus: EventBus
    let base: AgentEvent
    private let run = Locked<Int64?>(nil)

    init(bus: EventBus, stack: String, commit: GitCommit?, kind: String, triggeredAt: Date?) {
        self.bus = bus
        var base = AgentEvent(type: .runStarted, stack: stack, commit: commit?.id)
        base.author = commit.map { "\($0.author) <\($0.email)>" }
        base.subject = commit?.subject
        base.kind = kind
        base.triggeredAt = triggeredAt
        self.base = base
    }

    private func event(_ type: AgentEvent.Kind) -> AgentEvent {
        var event = base
        event.type = type
        event.run = run.withLock { $0 }
        return event
    }

    func started() {
        bus.publish(event(.runStarted))
    }

    /// The apply loop's callback.
    func relay(_ applyEvent: ApplyEvent) {
        switch applyEvent {
        case .runRecorded(let id):
            run.withLock { $0 = id }
        case .chunkWritten(let result, let total):
            var event = event(result.status == .failed ? .chunkFailed : .chunkApplied)
            event.chunk = result
            event.chunks = total
            event.error = result.error
            bus.publish(event)
        case .checkFinished(let result):
            var event = event(result.passed ? .checkPassed : .checkFailed)
            event.check = result
            event.error = result.passed ? nil : "check \(result.name) failed: \(result.detail)"
            bus.publish(event)
        case .chunkStarted, .chunkApplied, .chunkFailed, .checkStarted, .revertStarted, .revertFinished:
            break
        }
    }

    /// The run's end, from what `Workspace.apply` returned.
    @discardableResult
    func finished(_ outcome: ApplyOutcome) -> AgentEvent {
        var event = event(.runFinished)
        event.run = outcome.run
        event.exitCode = outcome.exitCode
        event.timings = outcome.timings
        event.chunks = outcome.result.chunks.count
        event.summary = AgentEvent.RunFigures(outcome.result)
        switch outcome.result.status {
        case .succeeded:
            event.outcome = .succeeded
            event.pushToLiveSeconds = base.triggeredAt.map { Date().timeIntervalSince($0) }
        case .unchanged:
            event.outcome = .unchanged
        case .reverted:
            event.outcome = .reverted
            event.error = outcome.result.chunks.first { $0.status == .failed }?.error ?? outcome.result.error
        case .failed:
            event.outcome = .failed
            // The failing chunk's own words ("check www failed: …"), not the run's prefix.
            event.error = outcome.result.chunks.first { $0.status == .failed }?.error ?? outcome.result.error
        }
        return bus.publish(event)
    }

    /// A commit that changed nothing of the stack, recorded as applied without a run.
    func unchanged() {
        var event = event(.runFinished)
        event.outcome = .unchanged
        event.exitCode = 0
        bus.publish(event)
    }

    /// `--require-reviewed-plan` holds the commit: nothing is applied until a review matches.
    func held() {
        var event = event(.runFinished)
        event.outcome = .held
        event.exitCode = 1
        event.error = "held: the plan of this commit differs from every reviewed plan"
        bus.publish(event)
    }

    /// A reconcile that stopped before or outside the apply loop.
    @discardableResult
    func failed(_ error: any Error) -> AgentEvent {
        var event = event(.runFinished)
        let kind = (error as? RunnerError)?.kind
        // A refused plan is the commit's own failure (a policy, a safety limit, protection):
        // the commit turns red with the reason, not "Plumb could not run".
        event.outcome = kind == .invalidInput ? .invalid : kind == .refused ? .failed : .error
        event.exitCode = (error as? RunnerError)?.code ?? 1
        event.error =
            kind == .refused
            ? "\(error)".split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            : "\(error)"
        event.errorKind = (error as? RunnerError)?.kind.rawValue ?? "other"
        return bus.publish(event)
    }
}

/// When the agent first learnt that the branch may have moved since its last reconcile:
/// marked by every trigger (a webhook, a poll), taken by the reconcile that serves it.
final class ArrivalClock: Sendable {
    private let first = Locked<Date?>(nil)

    func mark() {
        first.withLock { if $0 == nil { $0 = Date() } }
    }

    func take() -> Date? {
        first.withLock { value in
            defer { value = nil }
            return value
        }
    }
}
