import Foundation
import PlumbCore
import PlumbStore

/// `GET /`: the page an on-call engineer opens first. One HTML document, no external assets,
/// kept current by the agent's events (no reload): health per stack (amber on drift or a
/// held commit, red on a failed or invalid last run, a failing fetch or a store that does not
/// answer or fails its integrity check), the fetch under way, the drift by address with its
/// differences, the runs with their outcome and error, a duration chart.
enum StatusPage {
    enum Health: Int, Comparable {
        case ok, warn, bad
        static func < (lhs: Health, rhs: Health) -> Bool { lhs.rawValue < rhs.rawValue }
        var name: String { ["ok", "warn", "bad"][rawValue] }
    }

    static let failedStatuses: Set<String> = ["failed", "invalid", "interrupted", "reverted", "refused"]

    /// A stack's health and why, in words.
    static func health(_ stack: StackStatus, store: StoreHealth) -> (Health, String) {
        if !store.available { return (.bad, "store: " + (store.error ?? "does not answer")) }
        if let run = stack.lastRun, failedStatuses.contains(run.status) {
            return (.bad, "last run \(run.id) \(run.status)" + (stack.lastError.map { ": " + $0 } ?? ""))
        }
        if let error = stack.lastError { return (.bad, error) }
        if let error = stack.lastFetchError { return (.bad, "fetch: " + error) }
        if let held = stack.held { return (.warn, "holding commit \(held.prefix(12)): its plan matches no review") }
        if let drift = stack.drift, drift.total > 0 {
            return (.warn, "drift: \(drift.modified) modified, \(drift.missing) missing, \(drift.unmanaged) unmanaged")
        }
        return (.ok, "healthy")
    }

    /// The stack as the runs read after its status show it: a run that finished in between
    /// (the page reads the status, then the store) names the last run, with its error.
    static func caughtUp(_ stack: StackStatus, runs: [RunRecord]) -> StackStatus {
        guard let newest = runs.first(where: { $0.stack == stack.stack && $0.status != .running }),
            newest.id > stack.lastRun?.id ?? 0
        else { return stack }
        var stack = stack
        stack.lastRun = RunSummary(newest)
        stack.lastError = failedStatuses.contains(newest.status.rawValue) ? newest.error : nil
        return stack
    }

    static func render(status agent: AgentStatus, runs: [RunRecord], drift: [String: DriftReport] = [:]) -> String {
        let escape = PageStyle.escape
        var agent = agent
        agent.stacks = agent.stacks.map { caughtUp($0, runs: runs) }
        let states = agent.stacks.map { health($0, store: agent.store) }
        let worst = states.max { $0.0 < $1.0 } ?? (.ok, "healthy")
        let title =
            agent.stacks.count == 1 ? "stack \(agent.stacks[0].stack ?? "?") · branch \(agent.stacks[0].branch)" : "\(agent.stacks.count) stacks"
        var body = """
            <h1>Plumb agent · \(escape(title))</h1>
            <p id="health" class="\(worst.0.name)">\(escape(worst.1))</p>
            <p class="dim">Agent <code>\(escape(agent.agent))</code> · store <code>\(escape(agent.store.location))</code> (\(agent.store.available ? "answering" : "not answering"), \(agent.store.agents) agent(s))</p>

            """
        body += stacksTable(agent.stacks, states: states)
        body += agent.stacks.map(fetching).joined()
        body += driftSection(agent.stacks, reports: drift)
        body += diagrams(agent.stacks)
        body += "<h2>Run durations</h2>\n" + chart(runs)
        body += "<h2>Runs</h2>\n" + runsTable(runs, multiStack: agent.stacks.count > 1)
        return PageStyle.document(
            title: "Plumb · \(agent.stacks.first?.stack ?? "agent")", body: "<div id=\"live\">\n\(body)</div>\n",
            script: PageStyle.liveScript(events: "/events"))
    }

    /// Each applied stack's network and access, drawn by Graphviz (`/graph/STACK`); an
    /// `<img>`, so nothing in the drawing can run on the page.
    static func diagrams(_ stacks: [StackStatus]) -> String {
        let applied = stacks.compactMap { $0.lastAppliedCommit == nil ? nil : $0.stack }
        guard !applied.isEmpty else { return "" }
        var out = "<h2>Network and access</h2>\n"
        for name in applied {
            let escaped = PageStyle.escape(name)
            let path = "/graph/" + (name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name)
            out +=
                "<details class=\"diagram\"><summary>\(escaped)</summary><img src=\"\(PageStyle.escape(path))\" alt=\"network and access of stack \(escaped)\" style=\"max-width:100%\"></details>\n"
        }
        return out
    }

    static func stacksTable(_ stacks: [StackStatus], states: [(Health, String)]) -> String {
        let escape = PageStyle.escape
        var rows = ""
        for (stack, state) in zip(stacks, states) {
            let lease = stack.leased ? "held here" : stack.holder.map { "held by " + escape($0) } ?? "free"
            let reviewed = stack.lastRunReviewedIn.map { " · reviewed in <a href=\"/plans/\(escape($0))\">\(escape($0))</a>" } ?? ""
            rows +=
                "<tr class=\"\(state.0.name)\"><td>\(escape(stack.stack ?? "?"))</td><td class=\"\(state.0.name)\">\(escape(state.1))</td>"
                + "<td>\(escape(stack.branch))\(stack.root.isEmpty ? "" : ":" + escape(stack.root))</td><td>\(lease)</td>"
                + "<td><code class=\"commit\">\(escape(stack.lastAppliedCommit ?? "none"))</code>\(reviewed)</td></tr>\n"
        }
        return
            "<h2>Stacks</h2>\n<div class=\"scroll\"><table id=\"stacks\"><tr><th>stack</th><th>health</th><th>branch</th><th>lease</th><th>applied</th></tr>\n\(rows)</table></div>\n"
    }

    /// A stack's fetch under way and its last error, when there is either.
    static func fetching(_ stack: StackStatus) -> String {
        var parts: [String] = []
        if let since = stack.fetchingSince { parts.append("fetching since \(PageStyle.time(since))") }
        if let error = stack.lastFetchError { parts.append("last fetch failed: " + PageStyle.escape(error)) }
        guard !parts.isEmpty else { return "" }
        let name = stack.stack.map { PageStyle.escape($0) + ": " } ?? ""
        return "<p class=\"fetch\" id=\"fetch-\(PageStyle.escape(stack.stack ?? "stack"))\">\(name)\(parts.joined(separator: " · "))</p>\n"
    }

    /// Every drifted resource by address: what differs (desired → live), or that it is missing
    /// or unmanaged.
    static func driftSection(_ stacks: [StackStatus], reports: [String: DriftReport]) -> String {
        let escape = PageStyle.escape
        var out = "<h2>Drift</h2>\n"
        var any = false
        for stack in stacks {
            guard let name = stack.stack else { continue }
            guard let report = reports[name] else {
                if stack.drift == nil { out += "<p>\(escape(name)): not measured yet.</p>\n" }
                continue
            }
            guard !report.items.isEmpty else { continue }
            any = true
            out += "<ul class=\"drift\" id=\"drift-\(escape(name))\">\n"
            for item in report.items {
                var detail = ""
                if let diff = item.diff, !diff.isEmpty {
                    detail =
                        ": "
                        + diff.map {
                            "\(escape($0.field)) <code>\(escape(Self.json($0.desired)))</code> → <code>\(escape(Self.json($0.live)))</code>"
                        }
                        .joined(separator: "; ")
                }
                out += "<li class=\"warn\"><code>\(escape(item.address.description))</code> \(item.state.rawValue)\(detail)</li>\n"
            }
            out += "</ul>\n"
        }
        return any ? out : out + "<p id=\"no-drift\" class=\"ok\">No drift found by the last drift pass.</p>\n"
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }

    static func runsTable(_ runs: [RunRecord], multiStack: Bool) -> String {
        let escape = PageStyle.escape
        var rows = ""
        for run in runs {
            let outcome = PageStyle.outcomeClass(run.status.rawValue)
            let duration = run.finishedAt.map { PageStyle.seconds($0.timeIntervalSince(run.startedAt)) } ?? "running"
            let commit = run.commit.map { "<code>\(escape(String($0.id.prefix(10))))</code> \(escape($0.subject ?? ""))" } ?? ""
            let author = run.commit?.author.map { escape(String($0.prefix { $0 != "<" }).trimmingCharacters(in: .whitespaces)) } ?? ""
            let stages = run.timings.map { "\(escape($0.stage))\($0.detail.map { " " + escape($0) } ?? ""): \(PageStyle.milliseconds($0.seconds))" }
                .joined(separator: "<br>")
            let error = run.error.map { "<span class=\"error\">\(escape($0))</span>" } ?? ""
            rows +=
                "<tr class=\"run \(outcome)\" id=\"run-\(run.id)\"><td><a href=\"/runs/\(run.id)\">\(run.id)</a></td>"
                + (multiStack ? "<td>\(escape(run.stack))</td>" : "")
                + "<td class=\"wide\">\(PageStyle.time(run.startedAt))</td><td>\(escape(run.command))</td><td>\(author)</td>"
                + "<td class=\"\(outcome)\">\(escape(run.status.rawValue))</td>"
                + "<td>\(run.applied.count) applied\(run.notApplied.isEmpty ? "" : ", \(run.notApplied.count) not")</td>"
                + "<td>\(duration)</td><td>\(commit)</td><td class=\"error-cell\">\(error)</td><td class=\"t wide\">\(stages)</td></tr>\n"
        }
        return
            "<div class=\"scroll\"><table id=\"runs\"><tr><th>run</th>\(multiStack ? "<th>stack</th>" : "")<th class=\"wide\">started</th><th>kind</th><th>author</th><th>outcome</th>"
            + "<th>changes</th><th>duration</th><th>commit</th><th>error</th><th class=\"wide\">stages</th></tr>\n\(rows)</table></div>\n"
    }

    /// Run durations as bars, oldest on the left, with labelled axes; failed runs are red.
    static func chart(_ runs: [RunRecord]) -> String {
        let finished = runs.reversed().compactMap { run in run.finishedAt.map { (run, $0.timeIntervalSince(run.startedAt)) } }
        guard let peak = finished.map(\.1).max(), peak > 0 else { return "<p id=\"chart\">No finished runs yet.</p>\n" }
        let left = 52.0
        let bottom = 30.0
        let plot = 120.0
        let bar = 14.0
        let width = left + Double(finished.count) * bar + 10
        let height = plot + bottom + 10
        var bars = ""
        for (index, (run, seconds)) in finished.enumerated() {
            let h = max(1, seconds / peak * plot)
            let failed = failedStatuses.contains(run.status.rawValue)
            bars +=
                "<a href=\"/runs/\(run.id)\"><rect x=\"\(PageStyle.number(left + Double(index) * bar + 1))\" y=\"\(PageStyle.number(10 + plot - h))\" width=\"\(PageStyle.number(bar - 3))\" height=\"\(PageStyle.number(h))\""
                + "\(failed ? " class=\"bad\"" : "")><title>run \(run.id) \(run.status.rawValue): \(PageStyle.seconds(seconds))</title></rect></a>"
        }
        let axes =
            "<line x1=\"\(left)\" y1=\"10\" x2=\"\(left)\" y2=\"\(10 + plot)\" class=\"axis\"/>"
            + "<line x1=\"\(left)\" y1=\"\(10 + plot)\" x2=\"\(PageStyle.number(width))\" y2=\"\(10 + plot)\" class=\"axis\"/>"
            + "<text x=\"\(left - 4)\" y=\"16\" text-anchor=\"end\" class=\"label\">\(PageStyle.seconds(peak))</text>"
            + "<text x=\"\(left - 4)\" y=\"\(10 + plot)\" text-anchor=\"end\" class=\"label\">0 s</text>"
            + "<text x=\"12\" y=\"\(10 + plot / 2)\" transform=\"rotate(-90 12 \(10 + plot / 2))\" text-anchor=\"middle\" class=\"label\">duration</text>"
            + "<text x=\"\(left)\" y=\"\(PageStyle.number(height - 6))\" class=\"label\">runs, oldest → newest (red: failed)</text>"
        return
            "<svg id=\"chart\" viewBox=\"0 0 \(PageStyle.number(max(width, 260))) \(PageStyle.number(height))\" width=\"\(PageStyle.number(max(width, 260)))\" style=\"max-width:100%\" role=\"img\" aria-label=\"run durations\">\(axes)\(bars)</svg>\n"
    }
}
