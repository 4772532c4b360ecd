import Foundation
import PlumbCore
import PlumbGit
import PlumbRunner
import PlumbStore

extension Reconciler {
    /// Computes the review plan of pull/merge request `id` at `head` (a commit id or a
    /// branch), against `base`, and stores it for `/plans/ID`.
    /// `recordID` is the request's id when the agent follows one stack, `ID@STACK` otherwise.
    func review(id: String, recordID: String, head: String?, headBranch: String?, base: String) async throws -> ReviewPlanRecord {
        if GitSource.isURL(stack.repo) { try await fetcher.fetch(repository, askedAt: .now) }
        let candidates = [head, headBranch, "refs/pull/\(id)/head", "refs/merge-requests/\(id)/head"].compactMap { $0 }
        var resolved: GitCommit?
        for candidate in candidates {
            if let commit = try? repository.resolve(candidate) {
                resolved = commit
                break
            }
        }
        guard let commit = resolved else {
            throw RunnerError(.git, message: "pull request \(id): none of \(candidates.joined(separator: ", ")) is in the repository")
        }
        // The request's documents, the base head's bindings and settings (SPEC §8.1).
        let context = try ReviewPlanner.workspace(workspace(at: commit), base: base)
        let marker = Notifier.reviewMarker(recordID) + "\n"
        let record: ReviewPlanRecord
        let stackName: String
        do {
            let (desired, planned) = try await context.planDesired()
            let review = try ReviewPlanner.review(planned, context: context, base: base, head: desired)
            // The network and access the request touches, coloured by change (#22).
            let diagram = NetworkGraph(desired: desired, plan: review.plan).affected()
            let markdown =
                marker + ReviewMarkdownRenderer().render(review, diagram: diagram)
                + "\nChecksum of these changes: `\(review.checksum.prefix(16))`\n"
            record = ReviewPlanRecord(id: recordID, head: commit.id, base: review.plan.source.base, checksum: review.checksum, markdown: markdown)
            stackName = desired.settings.stack
        } catch {
            // What the request changes of the bindings still reaches the reviewer; its
            // checksum matches no plan, so it approves nothing.
            let trusted = (try? ReviewPlanner.trustedChanges(context)) ?? []
            let markdown =
                marker
                + ReviewMarkdownRenderer().renderUnplanned(
                    trustedFiles: trusted, error: context.redactor().redact("\(error)"))
            record = ReviewPlanRecord(id: recordID, head: commit.id, base: nil, checksum: "unplanned-\(commit.id)", markdown: markdown)
            stackName = name ?? DesiredStateLoader(environment: [:]).stackName(context.tree)
            logger.warning("review plan not computed", metadata: ["request": "\(id)", "error": "\(context.redactor().redact("\(error)"))"])
        }
        try await store.saveReviewPlan(record, stack: stackName)
        return record
    }

    /// Describes and compares with the last applied commit; stores the report; with
    /// `--heal`, queues a reconcile when drift was found.
    func driftPass() async {
        // Only the holder reports drift: one report per stack, however many agents.
        guard lease?.isHeld == true, let name, !busy else { return }
        started()
        defer { finished() }
        do {
            guard let applied = try await store.lastAppliedCommit(stack: name) else { return }
            let commit = try repository.resolve(applied)
            let workspace = try workspace(at: commit)
            let (desired, plan) = try await workspace.planDesired()
            let report = DriftReport(plan: plan)
            try await store.saveDrift(report, stack: desired.settings.stack, commit: applied)
            let previous = status.drift
            status.drift = report.summary
            metrics.recordDrift(report.summary, stack: desired.settings.stack)
            if previous != report.summary, previous != nil || report.hasDrift {
                var event = AgentEvent(type: report.hasDrift ? .driftAppeared : .driftCleared, stack: desired.settings.stack, commit: applied)
                event.drift = report.summary
                event.addresses = report.items.map(\.address.description)
                events.publish(event)
            }
            if previous?.total != report.summary.total {
                logger.info(
                    "drift",
                    metadata: [
                        "modified": "\(report.summary.modified)", "missing": "\(report.summary.missing)",
                        "unmanaged": "\(report.summary.unmanaged)",
                    ])
            }
            if stack.heal, report.hasDrift { trigger(.heal) }
        } catch {
            logger.error("drift pass failed", metadata: ["error": "\(error)"])
            if let problem = await monitor.check() { status.lastError = problem }
        }
    }
}
