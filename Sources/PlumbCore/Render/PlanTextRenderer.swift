/// Renders a plan for a terminal: a coloured +/~/- diff, chunk by chunk.
public struct PlanTextRenderer: Sendable {
    public var style: TextStyle

    public init(style: TextStyle) {
        self.style = style
    }

    public func render(_ plan: Plan) -> String {
        var out: [String] = []
        out.append(style.bold("Plan for stack \(plan.stack)") + sourceLine(plan.source))
        if !plan.hasChanges {
            out.append("No changes. \(plan.summary.unchanged) resources up to date.")
        } else {
            out.append(Self.summaryLine(plan.summary))
            if let chunking = plan.chunking { out.append(style.dim("Chunks: " + chunking.description)) }
        }
        for chunk in plan.chunks {
            out.append("")
            out.append(style.bold("chunk \(chunk.index + 1)/\(plan.chunks.count)") + style.dim("  " + Self.chunkLabel(chunk)))
            for change in chunk.changes { out.append(contentsOf: lines(for: change)) }
        }
        if !plan.conflicts.isEmpty {
            out.append("")
            out.append(style.bold("Conflicts (left untouched):"))
            for conflict in plan.conflicts { out.append("  \(style.red("!")) \(conflict.address): \(conflict.reason)") }
        }
        if !plan.policies.isEmpty {
            out.append("")
            out.append(contentsOf: policyLines(plan.policies))
        }
        // A policy's refusal is its finding above: listed once.
        let refusals = plan.refusals.filter { $0.rule != .policy }
        if !refusals.isEmpty {
            out.append("")
            out.append(style.bold("Refused:"))
            for refusal in refusals { out.append("  \(style.red("✗")) \(refusal.message)") }
        }
        if !plan.unmanaged.isEmpty {
            out.append("")
            out.append(style.dim("Not managed (types Plumb leaves alone): " + plan.unmanaged.map(\.label).joined(separator: ", ")))
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Policy findings (SPEC §8.6): denied, warned and waived, each with where and the way out.
    public func policyLines(_ findings: [PolicyFinding]) -> [String] {
        let denied = findings.filter(\.blocks).count
        var out = [
            style.bold("Policies:")
                + (denied > 0
                    ? style.red(
                        " \(denied) deny finding\(denied == 1 ? "" : "s") refuse\(denied == 1 ? "s" : "") this plan (--force does not lift them)")
                    : "")
        ]
        for finding in findings {
            let mark = finding.waiver != nil ? style.dim("~") : finding.blocks ? style.red("✗") : style.yellow("!")
            let where_ = finding.location.map { "\($0): " } ?? ""
            out.append("  \(mark) \(where_)\(finding.description)")
            if finding.waiver == nil { out.append(style.dim("      " + finding.hint)) }
        }
        return out
    }

    func lines(for change: Change) -> [String] {
        let origin = change.origin.map { style.dim(" [\($0.rawValue)]") } ?? ""
        let reason = change.action == .replace ? style.dim("  (\(change.reason ?? "replace"))") : ""
        let revert = change.revert.map { style.yellow("  (revert: \($0))") } ?? ""
        var lines = ["  \(style.marker(change.action)) \(style.colored(change.action, change.address.description))\(origin)\(reason)\(revert)"]
        let fields = ValueText.fieldLines(before: change.before?.attributes, after: change.after?.attributes, style: style)
        lines += fields.map { "      " + $0 }
        return lines
    }

    static func summaryLine(_ summary: Plan.Summary) -> String {
        var parts = ["\(summary.create) to create", "\(summary.update) to update"]
        if summary.replace > 0 { parts.append("\(summary.replace) to replace") }
        parts.append("\(summary.delete) to delete")
        var line = "Plan: " + parts.joined(separator: ", ") + "; \(summary.unchanged) unchanged"
        if summary.conflict > 0 { line += "; \(summary.conflict) in conflict" }
        return line + "."
    }

    static func chunkLabel(_ chunk: Plan.Chunk) -> String {
        [chunk.provider, chunk.kind?.rawValue].compactMap { $0 }.joined(separator: " ")
            + " · \(chunk.changes.count) change\(chunk.changes.count == 1 ? "" : "s")"
    }

    private func sourceLine(_ source: PlanSource) -> String {
        if let commit = source.commit { return style.dim(" at \(source.ref ?? "") \(commit.prefix(12))") }
        return ""
    }
}
