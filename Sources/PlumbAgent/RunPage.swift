import Foundation
import PlumbCore
import PlumbStore

/// `GET /runs/ID` with `Accept: text/html` (SPEC §8.2): one run for people — its commit,
/// outcome and error, every chunk with its changes and checks, and a timeline of its stages.
/// A run still going reloads its part of the page as the run's events arrive.
enum RunPage {
    static func render(_ run: RunRecord) -> String {
        let escape = PageStyle.escape
        let duration = run.finishedAt.map { PageStyle.seconds($0.timeIntervalSince(run.startedAt)) } ?? "running"
        var body = """
            <p><a href="/">← all runs</a></p>
            <h1>Run \(run.id) · stack \(escape(run.stack)) · <span id="outcome" class="\(PageStyle.outcomeClass(run.status.rawValue))">\(escape(run.status.rawValue))</span></h1>
            <dl class="facts">
            <dt>commit</dt><dd><code>\(escape(run.commit?.id ?? "none"))</code> \(escape(run.commit?.subject ?? ""))</dd>
            <dt>author</dt><dd>\(escape(run.commit?.author ?? "—"))</dd>
            <dt>kind</dt><dd>\(escape(run.command))</dd>
            <dt>started</dt><dd>\(PageStyle.time(run.startedAt))</dd>
            <dt>duration</dt><dd>\(duration)</dd>
            \(run.agent.map { "<dt>agent</dt><dd>\(escape($0))</dd>" } ?? "")
            </dl>

            """
        if let error = run.error { body += "<pre id=\"error\" class=\"error\">\(escape(error))</pre>\n" }
        body += chunks(run.chunks ?? [])
        body += "<h2>Stages</h2>\n" + timeline(run.timings)
        let live = run.finishedAt == nil ? PageStyle.liveScript(events: "/events?commit=\(run.commit?.id ?? "none")") : ""
        return PageStyle.document(title: "Plumb · run \(run.id)", body: "<div id=\"live\">\n\(body)</div>\n", script: live)
    }

    static func chunks(_ chunks: [ChunkResult]) -> String {
        guard !chunks.isEmpty else { return "<p id=\"chunks\">No chunks: nothing was applied.</p>\n" }
        let escape = PageStyle.escape
        var out = "<h2>Chunks</h2>\n<ol id=\"chunks\">\n"
        for chunk in chunks {
            out +=
                "<li class=\"chunk \(PageStyle.outcomeClass(chunk.status.rawValue))\"><b>chunk \(chunk.index + 1)</b> "
                + "<span class=\"\(PageStyle.outcomeClass(chunk.status.rawValue))\">\(chunk.status.rawValue)</span> · \(Int(chunk.durationMs)) ms\n"
            if let error = chunk.error { out += "<div class=\"error\">\(escape(error))</div>\n" }
            out += "<ul class=\"changes\">\n"
            for change in chunk.changes {
                out +=
                    "<li class=\"change \(PageStyle.outcomeClass(change.status.rawValue))\"><code>\(change.action.rawValue)</code> \(escape(change.address.description))"
                    + " <span class=\"dim\">\(change.status.rawValue)</span>\(change.error.map { " <span class=\"error\">\(escape($0))</span>" } ?? "")</li>\n"
            }
            out += "</ul>\n"
            if !chunk.checks.isEmpty {
                out += "<ul class=\"checks\">\n"
                for check in chunk.checks {
                    out +=
                        "<li class=\"check \(check.passed ? "ok" : "bad")\">\(check.passed ? "✓" : "✗") check <b>\(escape(check.name))</b> "
                        + "\(check.passed ? "passed" : "failed") in \(Int(check.durationMs)) ms"
                        + "\(check.attempts > 1 ? " (\(check.attempts) attempts)" : ""): \(escape(check.detail))</li>\n"
                }
                out += "</ul>\n"
            }
            out += "</li>\n"
        }
        return out + "</ol>\n"
    }

    /// The stages one after another on a time axis, each bar labelled with its name and time.
    static func timeline(_ timings: [StageTiming]) -> String {
        let total = timings.reduce(0) { $0 + $1.seconds }
        guard total > 0 else { return "<p id=\"timeline\">No stage timings recorded.</p>\n" }
        let width = 600.0
        let row = 18
        let left = 170.0
        var bars = ""
        var start = 0.0
        for (index, timing) in timings.enumerated() {
            let x = left + start / total * (width - left)
            let w = max(1, timing.seconds / total * (width - left))
            let y = index * row + 4
            let label = PageStyle.escape(timing.stage + (timing.detail.map { " " + $0 } ?? ""))
            bars +=
                "<text x=\"0\" y=\"\(y + 12)\" class=\"label\">\(label)</text>"
                + "<rect x=\"\(PageStyle.number(x))\" y=\"\(y)\" width=\"\(PageStyle.number(w))\" height=\"\(row - 6)\" class=\"stage-\(PageStyle.escape(timing.stage))\"><title>\(label): \(PageStyle.milliseconds(timing.seconds))</title></rect>"
                + "<text x=\"\(PageStyle.number(min(x + w + 4, width - 60)))\" y=\"\(y + 12)\" class=\"label\">\(PageStyle.milliseconds(timing.seconds))</text>"
            start += timing.seconds
        }
        let height = timings.count * row + 24
        let axis =
            "<line x1=\"\(PageStyle.number(left))\" y1=\"\(height - 18)\" x2=\"\(PageStyle.number(width))\" y2=\"\(height - 18)\" class=\"axis\"/>"
            + "<text x=\"\(PageStyle.number(left))\" y=\"\(height - 4)\" class=\"label\">0</text>"
            + "<text x=\"\(PageStyle.number(width - 60))\" y=\"\(height - 4)\" class=\"label\">\(PageStyle.milliseconds(total))</text>"
        return
            "<svg id=\"timeline\" viewBox=\"0 0 \(Int(width)) \(height)\" width=\"100%\" role=\"img\" aria-label=\"stage timeline\">\(bars)\(axis)</svg>\n"
    }
}
