import Foundation
import PlumbStore

/// What one pass of the agent over a stack must do, decided from what the agent knows
/// before it touches anything: the branch head, the last applied commit, the checks the
/// stack owes, the last run, what the push changed, the review and the backoff. A value,
/// so every case is a unit test (Tests/PlumbRunnerTests/PassDecisionTests.swift); the
/// `Reconciler` actor only gathers the inputs and carries the decision out.
public enum PassDecision: Sendable, Hashable {
    /// The head is applied and nothing is owed.
    case nothing
    /// The push changed nothing under the stack's folder: the head is recorded as applied
    /// without a run.
    case recordApplied
    /// The head's plan was applied whole and only its failed checks are owed: run them
    /// (no describe, no plan).
    case checksOnly
    /// Plan and apply only the resources of the documents the push changed.
    case focusedReconcile
    /// Plan and apply everything.
    case fullReconcile
    /// `--require-reviewed-plan`: the head's plan matches no review plan.
    case hold
    /// The head failed lately: not before `until`.
    case backOff(until: Date)
    /// The stack's newest run applied the head, a check failed and `on_failure: revert` put
    /// its changes back: not tried again, a new commit (or `plumb apply`) moves the stack on.
    case keepReverted

    /// Whether a review plan has to be looked at.
    public enum Review: Sendable, Hashable {
        /// `--require-reviewed-plan` is off.
        case notRequired
        /// Required, not computed yet: a pass that would reconcile asks the caller to
        /// compute it and decide again (it costs a plan).
        case pending
        case reviewed
        case unreviewed
    }

    public struct Inputs: Sendable, Hashable {
        public var trigger: RunOrigin.Trigger
        /// The branch head now.
        public var head: String
        /// The head a webhook named, if a webhook started the pass.
        public var webhookHead: String?
        /// The last applied commit, from the store.
        public var applied: String?
        /// The stack's newest run failed, was interrupted or is still marked running: the
        /// live state may hold changes no document between the two commits names.
        public var lastRunUnsettled = false
        /// The checks the stack owes.
        public var owed: FailedChecks?
        /// The stack's newest run, when it applied the head and was reverted.
        public var revertedRun: Int64?
        /// Repository paths changed from `applied` to `head`; nil when unknown.
        public var changedPaths: [String]?
        /// The stack's folder in the repository; empty for the root.
        public var root = ""
        public var review = Review.notRequired
        public var backoff = RetryBackoff()
        public var now = Date()

        public init(trigger: RunOrigin.Trigger, head: String, applied: String?) {
            self.trigger = trigger
            self.head = head
            self.applied = applied
        }
    }

    public static func decide(_ inputs: Inputs) -> PassDecision {
        // Before drift too: healing would apply the very changes a failed check put back.
        if inputs.revertedRun != nil, inputs.head != inputs.applied { return .keepReverted }
        if inputs.trigger == .drift { return reconcile(.fullReconcile, inputs) }
        if inputs.head == inputs.applied { return inputs.owed == nil ? .nothing : waitOr(.checksOnly, inputs) }
        if let owed = inputs.owed, owed.commit == inputs.head, owed.complete { return waitOr(.checksOnly, inputs) }
        if inputs.owed == nil, !inputs.lastRunUnsettled, !inputs.root.isEmpty, inputs.applied != nil,
            let changed = inputs.changedPaths, changed.allSatisfy({ !$0.hasPrefix(inputs.root + "/") })
        {
            return .recordApplied
        }
        let focused =
            inputs.owed == nil && !inputs.lastRunUnsettled && inputs.applied != nil
            && (inputs.changedPaths.map { paths in stackPaths(paths, root: inputs.root).allSatisfy { $0.hasPrefix("Desired/") } } ?? false)
        return waitOr(reconcile(focused ? .focusedReconcile : .fullReconcile, inputs), inputs)
    }

    /// A reconcile, unless the review holds it.
    private static func reconcile(_ decision: PassDecision, _ inputs: Inputs) -> PassDecision {
        inputs.review == .unreviewed ? .hold : decision
    }

    /// The decision, unless the backoff says to wait. A webhook naming a new head, and owed
    /// checks cleared since the failure (a passing `plumb check`), lift the wait.
    private static func waitOr(_ decision: PassDecision, _ inputs: Inputs) -> PassDecision {
        let backoff = inputs.backoff
        guard backoff.holds(head: inputs.head, now: inputs.now), let until = backoff.nextAttempt else { return decision }
        if inputs.trigger == .webhook, let named = inputs.webhookHead, !named.isEmpty, named != backoff.commit { return decision }
        if backoff.checksFailed, inputs.owed == nil { return decision }
        return .backOff(until: until)
    }

    /// Paths of the stack's folder, relative to it (other stacks' paths dropped).
    static func stackPaths(_ paths: [String], root: String) -> [String] {
        guard !root.isEmpty else { return paths }
        let prefix = root + "/"
        return paths.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    /// Whether the pass plans and applies (and so, with `--require-reviewed-plan`, needs
    /// its review decided first).
    public var reconciles: Bool {
        switch self {
        case .focusedReconcile, .fullReconcile: true
        default: false
        }
    }
}
