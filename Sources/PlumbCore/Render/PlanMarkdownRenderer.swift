import Foundation

/// Renders a plan as Markdown for a pull-request comment: what the change does first, then
/// pending drift, then conflicts and refusals.
public struct PlanMarkdownRenderer: Sendable {
    public init() {}

    /// With `diagram` (a review plan that touches the network or IAM), a Mermaid picture of
    /// what the changes touch follows the summary, coloured by change.
    public func render(_ plan: Plan, diagram: NetworkGraph? = nil) -> String {
        var out: [String] = []
        let ref = plan.source.commit.map { " at `\($0.prefix(12))`" } ?? ""
        out.append("### Plumb plan for `\(plan.stack)`\(ref)")
        out.append("")
        let s = plan.summary
        out.append("| create | update | replace | delete | unchanged | conflict |")
        out.append("|---:|---:|---:|---:|---:|---:|")
        out.append("| \(s.create) | \(s.update) | \(s.replace) | \(s.delete) | \(s.unchanged) | \(s.conflict) |")
        out.append("")
        if !plan.hasChanges { out.append("No changes.") }
        if plan.hasChanges, let chunking = plan.chunking {
            out.append("Chunks: " + chunking.description)
            out.append("")
        }
        if let diagram, !diagram.isEmpty {
            out.append("<details open><summary>Network and access touched (\(GraphStyle.legend))</summary>")
            out.append("")
            out.append("```mermaid")
            out.append(MermaidGraphRenderer().render(diagram).trimmingCharacters(in: .newlines))
            out.append("```")
            out.append("</details>")
            out.append("")
        }
        let changes = plan.changes
        if changes.contains(where: { $0.origin != nil }) {
            section(
                "What this change does", changes.filter { $0.origin == .change },
                empty: "Nothing: the commits under review change no infrastructure.", into: &out)
            section("Pending drift (already differs at the base)", changes.filter { $0.origin == .drift }, empty: nil, into: &out)
        } else if plan.hasChanges {
            section("Changes", changes, empty: nil, into: &out)
        }
        for chunk in plan.chunks {
            out.append("<details><summary>Chunk \(chunk.index + 1) of \(plan.chunks.count): \(PlanTextRenderer.chunkLabel(chunk))</summary>")
            out.append("")
            out.append("```diff")
            let renderer = PlanTextRenderer(style: TextStyle(color: false))
            for change in chunk.changes {
                for line in renderer.lines(for: change) {
                    out.append(Self.diffLine(line.trimmingPrefix("  "), action: change.action))
                }
            }
            out.append("```")
            out.append("</details>")
            out.append("")
        }
        if !plan.conflicts.isEmpty {
            out.append("#### Conflicts (left untouched)")
            for conflict in plan.conflicts { out.append("- `\(conflict.address)`: \(conflict.reason)") }
            out.append("")
        }
        if !plan.policies.isEmpty {
            out.append("#### Policies")
            for finding in plan.policies {
                let mark = finding.waiver != nil ? ":white_check_mark: waived" : finding.blocks ? ":no_entry: deny" : ":warning: warn"
                let where_ = finding.location.map { " (`\($0)`)" } ?? ""
                let tail = finding.waiver.map { " — waiver: \($0)" } ?? " — \(finding.hint)"
                out.append("- \(mark) `\(finding.rule)` `\(finding.address)`\(where_): \(finding.reason)\(tail)")
            }
            out.append("")
        }
        // A policy's refusal is its finding above: listed once.
        let refusals = plan.refusals.filter { $0.rule != .policy }
        if !refusals.isEmpty {
            out.append("#### Refused")
            for refusal in refusals { out.append("- :no_entry: \(refusal.message)") }
            out.append("")
        }
        return out.joined(separator: "\n") + "\n"
    }

    private func section(_ title: String, _ changes: [Change], empty: String?, into out: inout [String]) {
        guard !changes.isEmpty || empty != nil else { return }
        out.append("#### \(title)")
        out.append("")
        if changes.isEmpty, let empty {
            out.append(empty)
        } else {
            out.append("| | Address | Details |")
            out.append("|---|---|---|")
            for change in changes {
                let details = [change.reason, change.revert.map { "revert: \($0)" }].compactMap { $0 }.joined(separator: "; ")
                out.append("| \(change.action.rawValue) | `\(change.address)` | \(Self.escape(details)) |")
            }
        }
        out.append("")
    }

    static func diffLine(_ line: Substring, action: Change.Action) -> String {
        // In a diff block, the first column colours the line: + green, - red, ! orange.
        let body = String(line)
        switch action {
        case .create: return "+" + body.dropFirst()
        case .delete: return "-" + body.dropFirst()
        case .update, .replace: return body.hasPrefix(" ") ? body : "!" + body.dropFirst()
        }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }
}
