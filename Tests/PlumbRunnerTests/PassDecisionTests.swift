import Foundation
import PlumbRunner
import PlumbStore
import Testing

/// Every case of what an agent pass must do, from its inputs alone.
@Suite("the agent's pass decision")
struct PassDecisionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let head = String(repeating: "b", count: 40)
    let applied = String(repeating: "a", count: 40)

    func inputs(_ trigger: RunOrigin.Trigger = .poll, applied: String?? = nil, changed: [String]? = ["Desired/dns/a.yaml"]) -> PassDecision.Inputs {
        var inputs = PassDecision.Inputs(trigger: trigger, head: head, applied: applied ?? self.applied)
        inputs.changedPaths = changed
        inputs.now = now
        return inputs
    }

    func owed(commit: String?, complete: Bool) -> FailedChecks {
        FailedChecks(commit: commit, run: 3, lastRun: 3, checks: ["www"], addresses: [], complete: complete)
    }

    @Test("the head is applied and nothing is owed: nothing")
    func nothing() {
        #expect(PassDecision.decide(inputs(applied: head)) == .nothing)
    }

    @Test("the head is applied but checks are owed: checks only, even with an empty plan")
    func checksOnlyAppliedHead() {
        var given = inputs(applied: head)
        given.owed = owed(commit: applied, complete: false)
        #expect(PassDecision.decide(given) == .checksOnly)
    }

    @Test("the head's plan was applied whole and only its checks failed: checks only")
    func checksOnlyCompleteHead() {
        var given = inputs()
        given.lastRunUnsettled = true
        given.owed = owed(commit: head, complete: true)
        #expect(PassDecision.decide(given) == .checksOnly)
    }

    @Test("the head's plan stopped part-way on a check: a full reconcile (it re-runs the owed checks)")
    func fullWhenOwedIncomplete() {
        var given = inputs()
        given.lastRunUnsettled = true
        given.owed = owed(commit: head, complete: false)
        #expect(PassDecision.decide(given) == .fullReconcile)
    }

    @Test("a push that changed only documents, after a clean run: a focused reconcile")
    func focused() {
        #expect(PassDecision.decide(inputs()) == .focusedReconcile)
    }

    @Test(
        "a focused reconcile needs a clean history, a known applied commit and only Desired/ changes",
        arguments: [
            "unsettled", "owed", "first commit", "plumb.yaml changed", "paths unknown",
        ])
    func full(reason: String) {
        var given = inputs()
        switch reason {
        case "unsettled": given.lastRunUnsettled = true
        case "owed": given.owed = owed(commit: applied, complete: false)
        case "first commit": given = inputs(applied: .some(nil), changed: nil)
        case "plumb.yaml changed": given.changedPaths = ["Desired/dns/a.yaml", "plumb.yaml"]
        default: given.changedPaths = nil
        }
        #expect(PassDecision.decide(given) == .fullReconcile)
    }

    @Test("a push that changed nothing under the stack's folder is recorded as applied without a run")
    func recordApplied() {
        var given = inputs(changed: ["other/Desired/x.yaml"])
        given.root = "stacks/web"
        #expect(PassDecision.decide(given) == .recordApplied)
        given.changedPaths = ["stacks/web/Desired/x.yaml"]
        #expect(PassDecision.decide(given) == .focusedReconcile, "the stack's own documents, relative to its folder")
        given.changedPaths = ["other/Desired/x.yaml"]
        given.lastRunUnsettled = true
        #expect(PassDecision.decide(given) == .fullReconcile, "after a failed run even an unrelated push applies")
    }

    @Test("an unreviewed plan under --require-reviewed-plan is held; a reviewed one reconciles")
    func hold() {
        var given = inputs()
        given.review = .unreviewed
        #expect(PassDecision.decide(given) == .hold)
        given.review = .reviewed
        #expect(PassDecision.decide(given) == .focusedReconcile)
        given.review = .pending
        #expect(PassDecision.decide(given).reconciles, "pending: the caller computes the review and decides again")
    }

    @Test("a head that failed lately waits for its next attempt")
    func backOff() {
        var given = inputs()
        given.backoff.failed(commit: head, interval: 5, now: now, checks: false)
        #expect(PassDecision.decide(given) == .backOff(until: now.addingTimeInterval(5)))
        given.now = now.addingTimeInterval(5)
        #expect(PassDecision.decide(given) == .focusedReconcile, "due again")
        given.now = now
        given.owed = owed(commit: head, complete: true)
        given.backoff.failed(commit: head, interval: 5, now: now, checks: true)
        #expect(PassDecision.decide(given) == .backOff(until: now.addingTimeInterval(10)), "a checks-only pass waits too")
    }

    @Test("the wait is lifted by a new head, a webhook naming a new head, or the owed checks passing")
    func backOffLifted() {
        var given = inputs()
        given.backoff.failed(commit: applied + "x", interval: 5, now: now, checks: false)
        #expect(PassDecision.decide(given) == .focusedReconcile, "another commit failed, not this head")

        given = inputs(.webhook)
        given.backoff.failed(commit: head, interval: 5, now: now, checks: false)
        given.webhookHead = head
        #expect(PassDecision.decide(given) == .backOff(until: now.addingTimeInterval(5)), "a redelivery for the same head waits")
        given.webhookHead = String(repeating: "c", count: 40)
        #expect(PassDecision.decide(given) == .focusedReconcile)

        given = inputs()
        given.lastRunUnsettled = true
        given.backoff.failed(commit: head, interval: 5, now: now, checks: true)
        #expect(PassDecision.decide(given) == .fullReconcile, "owed checks cleared since (plumb check passed)")
    }

    @Test("drift healing reconciles everything, held only by review")
    func heal() {
        var given = inputs(.drift, applied: head)
        given.backoff.failed(commit: head, interval: 5, now: now, checks: false)
        #expect(PassDecision.decide(given) == .fullReconcile)
        given.review = .unreviewed
        #expect(PassDecision.decide(given) == .hold)
    }

    @Test("the newest run reverted the head: not retried, not even by a heal; a new head is")
    func keepReverted() {
        var given = inputs()
        given.revertedRun = 6
        #expect(PassDecision.decide(given) == .keepReverted)
        var drift = inputs(.drift)
        drift.revertedRun = 6
        #expect(PassDecision.decide(drift) == .keepReverted)
        var applied = inputs(applied: head)
        applied.revertedRun = 6
        #expect(PassDecision.decide(applied) == .nothing)
        #expect(PassDecision.decide(inputs()) == .focusedReconcile)
    }
}

@Suite("retry backoff")
struct RetryBackoffTests {
    @Test("from the poll interval, doubling, up to 30 minutes")
    func delays() {
        #expect(RetryBackoff.delay(failures: 0, interval: 60) == 0)
        #expect((1...6).map { RetryBackoff.delay(failures: $0, interval: 60) } == [60, 120, 240, 480, 960, 1800])
        #expect(RetryBackoff.delay(failures: 500, interval: 60) == 1800)
    }

    @Test("failures count per commit; reset starts over")
    func perCommit() {
        let now = Date(timeIntervalSince1970: 0)
        var backoff = RetryBackoff()
        backoff.failed(commit: "a", interval: 10, now: now, checks: false)
        backoff.failed(commit: "a", interval: 10, now: now, checks: false)
        #expect(backoff.failures == 2 && backoff.nextAttempt == now.addingTimeInterval(20))
        #expect(backoff.holds(head: "a", now: now.addingTimeInterval(19)))
        #expect(!backoff.holds(head: "b", now: now))
        backoff.failed(commit: "b", interval: 10, now: now, checks: false)
        #expect(backoff.failures == 1)
        backoff.reset()
        #expect(backoff == RetryBackoff())
    }
}
