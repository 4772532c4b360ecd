import Foundation
import PlumbStore

/// `GET /`: the page an on-call engineer opens first. One HTML document, no external assets.
enum StatusPage {
    static func stacksTable(_ stacks: [StackStatus]) -> String {
        guard stacks.count > 1 || stacks.first?.leased == false else { return "" }
        var rows = ""
        for stack in stacks {
            let lease = stack.leased ? "held here" : stack.holder.map { "held by " + escape($0) } ?? "free"
            rows += "<tr><td>\(escape(stack.stack ?? "?"))</td><td>\(escape(stack.branch))\(stack.root.isEmpty ? "" : ":" + escape(stack.root))</td>"
                + "<td>\(lease)</td><td><code>\(escape(String(stack.lastAppliedCommit?.prefix(10) ?? "none")))</code></td>"
                + "<td>\(escape(stack.lastError ?? ""))</td></tr>\n"
        }
        return "<h2>Stacks</h2>\n<table id=\"stacks\"><tr><th>stack</th><th>branch</th><th>lease</th><th>applied</th><th>error</th></tr>\n\(rows)</table>"
    }

    static func render(status agent: AgentStatus, runs: [RunRecord]) -> String {
        let formatter = ISO8601DateFormatter()
        guard let status = agent.stacks.first else { return "" }
        let healthy = agent.store.available && agent.stacks.allSatisfy { $0.lastError == nil && $0.held == nil && $0.lastFetchError == nil }
        let problem = agent.store.error.map { "store: " + $0 } ?? agent.stacks.lazy.compactMap(problem).first ?? ""
        let drift = status.drift.map { "\($0.modified) modified, \($0.missing) missing, \($0.unmanaged) unmanaged" } ?? "not measured yet"
        var rows = ""
        for run in runs {
            let duration = run.finishedAt.map { String(format: "%.2f s", $0.timeIntervalSince(run.startedAt)) } ?? "running"
            let commit = run.commit.map { "\(escape(String($0.id.prefix(10)))) \(escape($0.subject ?? ""))" } ?? ""
            let timings = run.timings.map { "\(escape($0.stage))\($0.detail.map { " " + escape($0) } ?? ""): \(String(format: "%.0f", $0.seconds * 1000)) ms" }.joined(separator: "<br>")
            rows += """
                <tr class="\(escape(run.status.rawValue))"><td>\(run.id)</td><td>\(formatter.string(from: run.startedAt))</td>\
                <td>\(escape(run.status.rawValue))</td><td>\(run.applied.count) applied\(run.notApplied.isEmpty ? "" : ", \(run.notApplied.count) not")</td>\
                <td>\(duration)</td><td>\(commit)</td><td class="t">\(timings)</td></tr>

                """
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Plumb · \(escape(status.stack ?? "agent"))</title>
            <style>
            body{font:14px system-ui,sans-serif;margin:2em;color:#222}
            h1{font-size:20px} .ok{color:#1a7f37} .bad{color:#cf222e}
            table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
            tr.failed td,tr.interrupted td{background:#fff0f0} td.t{font-size:12px;color:#555}
            </style></head><body>
            <h1>Plumb agent · stack \(escape(status.stack ?? "?")) · branch \(escape(status.branch))</h1>
            <p id="health" class="\(healthy ? "ok" : "bad")">\(healthy ? "healthy" : "attention: " + escape(problem))</p>
            <p>Agent <code>\(escape(agent.agent))</code> · store <code>\(escape(agent.store.location))</code> (\(agent.store.available ? "answering" : "not answering"), \(agent.store.agents) agent(s))</p>
            \(stacksTable(agent.stacks))
            \(fetching(status, formatter))
            <p>Last applied commit: <code id="commit">\(escape(status.lastAppliedCommit ?? "none yet"))</code></p>
            <p>Drift: <span id="drift">\(escape(drift))</span></p>
            <h2>Run durations</h2>
            \(chart(runs))
            <h2>Runs</h2>
            <table id="runs"><tr><th>run</th><th>started</th><th>status</th><th>changes</th><th>duration</th><th>commit</th><th>stages</th></tr>
            \(rows)</table>
            </body></html>

            """
    }

    /// What is wrong with one stack, if anything.
    static func problem(_ stack: StackStatus) -> String? {
        if let error = stack.lastError { return error }
        if let held = stack.held { return "held commit \(held)" }
        return stack.lastFetchError.map { "fetch: " + $0 }
    }

    /// The mirror's fetch under way and its last error, when there is either.
    static func fetching(_ status: StackStatus, _ formatter: ISO8601DateFormatter) -> String {
        var parts: [String] = []
        if let since = status.fetchingSince { parts.append("fetching since \(formatter.string(from: since))") }
        if let error = status.lastFetchError { parts.append("last fetch failed: " + escape(error)) }
        return parts.isEmpty ? "" : "<p id=\"fetch\">\(parts.joined(separator: " · "))</p>"
    }

    /// An inline SVG bar chart of run durations, oldest on the left.
    static func chart(_ runs: [RunRecord]) -> String {
        let durations = runs.reversed().map { run in run.finishedAt.map { $0.timeIntervalSince(run.startedAt) } ?? 0 }
        guard let peak = durations.max(), peak > 0 else { return "<p>No finished runs yet.</p>" }
        let width = 12, height = 80
        var bars = ""
        for (index, duration) in durations.enumerated() {
            let barHeight = max(1, Int(duration / peak * Double(height)))
            bars += "<rect x=\"\(index * width)\" y=\"\(height - barHeight)\" width=\"\(width - 2)\" height=\"\(barHeight)\" fill=\"#0969da\"><title>\(String(format: "%.2f s", duration))</title></rect>"
        }
        return "<svg id=\"chart\" width=\"\(durations.count * width)\" height=\"\(height)\" role=\"img\" aria-label=\"run durations\">\(bars)</svg>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
