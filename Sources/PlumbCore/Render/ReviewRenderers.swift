/// Renders a review (SPEC §8.1): first, when the request changes `Providers/` or
/// `plumb.yaml`, that it does, that they were not used, and their diff; then the plan; then
/// the checks the request adds, changes or removes.
public struct ReviewMarkdownRenderer: Sendable {
    public init() {}

    public func render(_ review: Review, diagram: NetworkGraph? = nil) -> String {
        Self.trustedSection(review.trustedFiles) + PlanMarkdownRenderer().render(review.plan, diagram: diagram)
            + Self.checksSection(review.checks)
    }

    /// A request whose documents cannot be planned with the base's bindings: what it
    /// changes of them, and why there is no plan.
    public func renderUnplanned(trustedFiles: [TrustedFileChange], checks: [CheckChange] = [], error: String) -> String {
        Self.trustedSection(trustedFiles) + "### No Plumb plan\n\n```\n\(error)\n```\n\n" + Self.checksSection(checks)
    }

    static let bindingNotice = "needs a binding review"

    static func trustedSection(_ files: [TrustedFileChange]) -> String {
        guard !files.isEmpty else { return "" }
        var out = [
            "> :warning: **This request changes provider bindings or stack settings: it \(bindingNotice).** "
                + "They were not used: the plan below was computed with the base branch's `Providers/` and `plumb.yaml`, "
                + "and nothing of this request runs until it is merged.",
            "",
            "#### Binding and settings changes",
            "",
        ]
        for file in files {
            out.append("`\(file.path)` (\(file.action.rawValue))")
            out.append("")
            out.append("```diff")
            out += file.diff
            out.append("```")
            out.append("")
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func checksSection(_ checks: [CheckChange]) -> String {
        guard !checks.isEmpty else { return "" }
        var out = ["#### Checks this request adds, changes or removes", "", "| | Check | Kind | Target | After | Env |", "|---|---|---|---|---|---|"]
        for check in checks {
            let cells = [
                check.action.rawValue, "`\(check.name)`", check.kind, "`\(check.target)`", check.after.joined(separator: ", "),
                check.env.joined(separator: ", "),
            ]
            out.append("| " + cells.map(PlanMarkdownRenderer.escape).joined(separator: " | ") + " |")
        }
        return out.joined(separator: "\n") + "\n\n"
    }
}

/// The same, for a terminal (`plumb plan --base`).
public struct ReviewTextRenderer: Sendable {
    public var style: TextStyle

    public init(style: TextStyle) {
        self.style = style
    }

    public func render(_ review: Review) -> String {
        var out = ""
        if review.needsBindingReview {
            out += "warning: this change edits provider bindings or plumb.yaml; it \(ReviewMarkdownRenderer.bindingNotice).\n"
            out += "They were not used: this plan uses the base branch's Providers/ and plumb.yaml.\n"
            for file in review.trustedFiles {
                out += "\n\(file.path) (\(file.action.rawValue))\n" + file.diff.map { "  " + $0 + "\n" }.joined()
            }
            out += "\n"
        }
        out += PlanTextRenderer(style: style).render(review.plan)
        if !review.checks.isEmpty {
            out += "\nChecks this change adds, changes or removes:\n"
            for check in review.checks {
                out += "  \(check.action.rawValue) \(check.name): \(check.kind) \(check.target), after \(check.after.joined(separator: ", "))"
                out += (check.env.isEmpty ? "" : ", env \(check.env.joined(separator: ", "))") + "\n"
            }
        }
        return out
    }
}
