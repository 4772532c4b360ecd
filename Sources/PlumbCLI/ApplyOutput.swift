import PlumbCore
import PlumbRunner

/// Terminal progress while applying (stderr, only on a terminal).
enum ApplyProgress {
    @Sendable static func report(_ event: ApplyEvent) {
        switch event {
        case .chunkStarted(let index, let total, let changes):
            Console.progress("applying chunk \(index + 1)/\(total) (\(changes) change\(changes == 1 ? "" : "s"))…")
        case .checkStarted(let name):
            Console.progress("  checking \(name)…")
        case .checkFinished(let result):
            Console.progress("  check \(result.name): \(result.passed ? "passed" : "FAILED") in \(Int(result.durationMs)) ms")
        case .revertStarted(let changes):
            Console.progress("putting back \(changes) change\(changes == 1 ? "" : "s") (on_failure: revert)…")
        case .chunkApplied, .chunkFailed, .revertFinished, .chunkWritten, .runRecorded:
            break
        }
    }
}

/// What an apply did, for people: every chunk, what failed and why, what was not applied.
struct ApplyTextRenderer {
    let style: TextStyle

    /// One change of a chunk, as `apply` and `follow` list it: its mark, action, address and
    /// error.
    static func line(_ change: ChangeResult, style: TextStyle) -> String {
        let mark: String =
            switch change.status {
            case .applied: style.marker(change.action)
            case .failed: style.red("✗")
            case .notApplied: style.dim("·")
            case .unconfirmed: style.yellow("?")
            }
        return "  \(mark) \(change.action.rawValue) \(change.address)" + (change.error.map { "  " + style.red($0) } ?? "")
    }

    /// `1 change`, `3 changes`.
    static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }

    func render(plan: Plan, result: ApplyResult, run: Int64, recheck: Recheck? = nil, note: String? = nil) -> String {
        guard plan.hasChanges else { return renderRecheck(plan: plan, run: run, recheck: recheck, note: note) }
        var out: [String] = [style.bold("Apply of stack \(plan.stack)") + style.dim(" (run \(run))")]
        for chunk in result.chunks {
            let label: String =
                switch chunk.status {
                case .applied: style.green("applied")
                case .failed: style.red("FAILED")
                case .skipped: style.dim("not applied")
                }
            out.append("chunk \(chunk.index + 1)/\(result.chunks.count): \(label)")
            for change in chunk.changes { out.append(Self.line(change, style: style)) }
            for check in chunk.checks { out.append(CheckLine.render(check, style: style)) }
        }
        if !plan.policies.isEmpty {
            // Warnings and waivers stay visible in what was applied, not only in the plan.
            out.append("")
            out.append(contentsOf: PlanTextRenderer(style: style).policyLines(plan.policies))
        }
        out += recheckLines(recheck, note: note)
        out.append("")
        let applied = result.applied.count
        let total = plan.summary.total
        if let revert = result.revert { out += revertLines(revert) }
        switch result.status {
        case .reverted:
            out.append(style.red("Stopped: \(result.error ?? "failed")"))
            out.append(
                "Reverted: the \(applied) applied changes were put back (\(result.reverted.count) reverse changes read back); not applied: \(result.notApplied.count)."
            )
        case .failed:
            out.append(style.red("Stopped: \(result.error ?? "failed")"))
            if let error = result.revert?.error { out.append(style.red("Revert incomplete: \(error)")) }
            out.append("\(applied) of \(total) changes applied; not applied: \(result.notApplied.count).")
            if !result.notApplied.isEmpty {
                out.append("Not applied: " + result.notApplied.map(\.description).joined(separator: ", "))
            }
        default:
            if let recheck, !recheck.passed {
                out.append(
                    style.red(
                        "Applied \(Self.count(applied, "change")), but a check that failed on run \(recheck.failedRun) still fails: the commit is not applied."
                    ))
            } else {
                out.append(style.green("Applied \(Self.count(applied, "change")) in \(Self.count(result.chunks.count, "chunk"))."))
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// `on_failure: revert`: each reverse chunk (named for the chunk it puts back) and the
    /// failed checks run again.
    func revertLines(_ revert: RevertResult) -> [String] {
        var out: [String] = []
        for chunk in revert.chunks {
            out.append("revert of chunk \(chunk.index + 1): \(chunk.status == .applied ? style.green("put back") : style.red("FAILED"))")
            for change in chunk.changes {
                let mark = change.status == .applied ? style.marker(change.action) : style.red("✗")
                out.append("  \(mark) \(change.action.rawValue) \(change.address)" + (change.error.map { "  " + style.red($0) } ?? ""))
            }
        }
        for check in revert.checks {
            out.append(
                "  \(check.passed ? style.green("✓") : style.red("✗")) check \(check.name) after the revert: \(check.detail) (\(Int(check.durationMs)) ms)"
            )
        }
        return out
    }

    /// An empty plan: up to date, unless checks are owed (SPEC §8.5).
    private func renderRecheck(plan: Plan, run: Int64, recheck: Recheck?, note: String?) -> String {
        guard let recheck else { return "No changes. Stack \(plan.stack) is up to date.\n" }
        var out = [style.bold("No changes to stack \(plan.stack); checks owed since run \(recheck.failedRun) ran again") + style.dim(" (run \(run))")]
        out += recheckLines(recheck, note: note)
        out.append(recheck.passed ? style.green("Stack \(plan.stack) is up to date.") : style.red("Not applied: a check still fails."))
        return out.joined(separator: "\n") + "\n"
    }

    private func recheckLines(_ recheck: Recheck?, note: String?) -> [String] {
        guard let recheck else { return [] }
        var out = ["checks that failed on run \(recheck.failedRun), again:"]
        if recheck.checks.isEmpty { out.append("  (the current desired state declares none of them)") }
        for check in recheck.checks { out.append(CheckLine.render(check, style: style)) }
        if let note { out.append(style.green(note)) }
        return out
    }
}
