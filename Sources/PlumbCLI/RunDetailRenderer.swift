import Foundation
import PlumbCore
import PlumbStore

/// `history show ID`: one run whole, for people.
struct RunDetailRenderer {
    let style: TextStyle

    func render(_ run: RunRecord) -> String {
        let formatter = ISO8601DateFormatter()
        var lines = [style.bold("Run \(run.id)") + " of stack \(run.stack): \(run.kind.rawValue), triggered by \(run.trigger.rawValue)"]
        lines.append("status:   \(run.status.rawValue)")
        lines.append("started:  \(formatter.string(from: run.startedAt))")
        if let finished = run.finishedAt {
            lines.append("finished: \(formatter.string(from: finished)) (\(String(format: "%.2fs", finished.timeIntervalSince(run.startedAt))))")
        }
        if let commit = run.commit {
            lines.append("commit:   \(commit.id)\(commit.dirty == true ? " (dirty: uncommitted changes were applied)" : "") \(commit.subject ?? "")")
            if let author = commit.author { lines.append("author:   \(author)") }
        }
        if let agent = run.agent { lines.append("agent:    \(agent)") }
        if let note = run.note { lines.append(style.green(note)) }
        if let error = run.error { lines.append(style.red("error:") + " " + error) }
        for diagnostic in run.diagnostics { lines.append("  " + diagnostic.description) }
        if let plan = run.plan, run.result == nil, plan.hasChanges {
            lines.append("plan (not applied):")
            for chunk in plan.chunks {
                for change in chunk.changes { lines.append("  \(style.marker(change.action)) \(change.action.rawValue) \(change.address)") }
            }
        }
        for chunk in run.result?.chunks ?? [] {
            lines.append("chunk \(chunk.index + 1): \(chunk.status.rawValue) (\(Int(chunk.durationMs)) ms)")
            for change in chunk.changes {
                let note = change.error.map { "  " + style.red($0) } ?? ""
                lines.append(
                    "  \(change.status.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(change.action.rawValue) \(change.address)\(note)"
                )
            }
            for check in chunk.checks { lines.append(CheckLine.render(check, style: style)) }
        }
        // `checks` lists the chunks' checks first; the rest ran outside any chunk.
        let outside = run.checks.dropFirst(run.result?.chunks.reduce(0) { $0 + $1.checks.count } ?? 0)
        if !outside.isEmpty {
            lines.append(run.kind == .check ? "checks:" : "checks run again (owed by an earlier run):")
            for check in outside { lines.append(CheckLine.render(check, style: style)) }
        }
        if !run.timings.isEmpty {
            lines.append("timings:")
            for timing in run.timings {
                let label = timing.detail.map { "\(timing.stage) (\($0))" } ?? timing.stage
                lines.append("  " + label.padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: "%9.1f ms", timing.seconds * 1000))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
