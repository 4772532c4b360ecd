/// Drift reports as text (terminal) and Markdown.
public struct DriftTextRenderer: Sendable {
    public var style: TextStyle

    public init(style: TextStyle) {
        self.style = style
    }

    public func render(_ report: DriftReport) -> String {
        var out = [style.bold("Drift for stack \(report.stack)")]
        let s = report.summary
        out.append(
            report.hasDrift
                ? "\(s.modified) modified, \(s.missing) missing, \(s.unmanaged) unmanaged."
                : "No drift: live infrastructure matches the desired state.")
        for item in report.items {
            switch item.state {
            case .modified:
                out.append("  \(style.yellow("~ \(item.address)")) modified")
                for diff in item.diff ?? [] {
                    out.append("      \(diff.field): desired \(ValueText.show(diff.desired)), live \(ValueText.show(diff.live))")
                }
            case .missing:
                out.append("  \(style.green("+ \(item.address)")) missing")
            case .unmanaged:
                out.append("  \(style.red("- \(item.address)")) unmanaged" + (item.live.map { "  \(ValueText.show($0))" } ?? ""))
            }
        }
        for conflict in report.conflicts {
            out.append("  \(style.red("! \(conflict.address)")) \(conflict.reason)")
        }
        if !report.notManaged.isEmpty {
            out.append(style.dim("Not managed (types Plumb leaves alone): " + report.notManaged.map(\.label).joined(separator: ", ")))
        }
        return out.joined(separator: "\n") + "\n"
    }
}

public struct DriftMarkdownRenderer: Sendable {
    public init() {}

    public func render(_ report: DriftReport) -> String {
        var out = ["### Plumb drift for `\(report.stack)`", ""]
        let s = report.summary
        out.append("| modified | missing | unmanaged |")
        out.append("|---:|---:|---:|")
        out.append("| \(s.modified) | \(s.missing) | \(s.unmanaged) |")
        out.append("")
        if !report.hasDrift { out.append("No drift.") }
        for item in report.items {
            let details: String
            switch item.state {
            case .modified:
                details = (item.diff ?? []).map { "`\($0.field)`: desired \(ValueText.show($0.desired)), live \(ValueText.show($0.live))" }.joined(
                    separator: "; ")
            case .missing: details = "declared but absent"
            case .unmanaged: details = item.live.map { ValueText.show($0) } ?? ""
            }
            out.append("- **\(item.state.rawValue)** `\(item.address)` \(PlanMarkdownRenderer.escape(details))")
        }
        if !report.notManaged.isEmpty {
            out.append("")
            out.append("Not managed: " + report.notManaged.map { "`\($0.label)`" }.joined(separator: ", "))
        }
        return out.joined(separator: "\n") + "\n"
    }
}
