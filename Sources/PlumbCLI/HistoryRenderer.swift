import Foundation
import PlumbCore
import PlumbStore

enum HistoryRenderer {
    static func table(_ runs: [RunRecord], style: TextStyle) -> String {
        guard !runs.isEmpty else { return "No runs yet.\n" }
        let formatter = ISO8601DateFormatter()
        var lines = ["RUN  STARTED               KIND          STATUS       CHANGES        DURATION  COMMIT"]
        for run in runs {
            let summary = run.summary.map { "+\($0.create) ~\($0.update + $0.replace) -\($0.delete)" } ?? "-"
            let duration = run.finishedAt.map { String(format: "%.2fs", $0.timeIntervalSince(run.startedAt)) } ?? "-"
            let commit =
                run.commit.map {
                    "\($0.id.prefix(10))\($0.dirty == true ? " dirty" : "") \($0.subject ?? "")" + ($0.author.map { " (\($0))" } ?? "")
                } ?? ""
            let status: String =
                switch run.status {
                case .succeeded, .unchanged: style.green(run.status.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0))
                case .failed, .interrupted, .refused, .reverted, .invalid:
                    style.red(run.status.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0))
                case .running: style.yellow(run.status.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0))
                }
            let kind = "\(run.kind.rawValue)/\(run.trigger.rawValue)".padding(toLength: 13, withPad: " ", startingAt: 0)
            lines.append(
                String(format: "%-4lld %@ ", run.id, formatter.string(from: run.startedAt)) + kind + " " + status + " "
                    + summary.padding(toLength: 14, withPad: " ", startingAt: 0) + " " + duration.padding(toLength: 9, withPad: " ", startingAt: 0)
                    + " " + commit)
            if let error = run.error, run.status != .succeeded {
                for line in error.split(separator: "\n", omittingEmptySubsequences: true) { lines.append("     " + style.dim(String(line))) }
            }
            if let note = run.note { lines.append("     " + style.green(note)) }
            if run.status == .reverted || !run.reverted.isEmpty {
                lines.append("     " + style.dim("applied \(run.applied.count) change(s), then put back \(run.reverted.count) (on_failure: revert)"))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One bar per run: its total stage time, oldest first.
    static func plot(_ runs: [RunRecord]) -> String {
        let ordered = runs.reversed().filter { !$0.timings.isEmpty }
        guard !ordered.isEmpty else { return "No timed runs yet.\n" }
        let totals = ordered.map { $0.timings.reduce(0) { $0 + $1.seconds } }
        let peak = max(totals.max() ?? 1, 1e-9)
        var lines = ["run   total time (bar: share of the slowest run, \(String(format: "%.3f", peak))s)"]
        for (run, total) in zip(ordered, totals) {
            let width = Int((total / peak * 50).rounded())
            lines.append(String(format: "%-5lld ", run.id) + String(repeating: "█", count: max(width, 1)) + String(format: " %.3fs", total))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// `history --stats`: per stage, across runs.
struct StageStats: Encodable {
    var stage: String
    var count: Int
    var minMs: Double
    var medianMs: Double
    var p95Ms: Double
    var maxMs: Double

    enum CodingKeys: String, CodingKey {
        case stage, count
        case minMs = "min_ms"
        case medianMs = "median_ms"
        case p95Ms = "p95_ms"
        case maxMs = "max_ms"
    }

    static func compute(_ timings: [StageTiming]) -> [StageStats] {
        Dictionary(grouping: timings, by: \.stage).map { stage, items in
            let values = items.map { $0.seconds * 1000 }.sorted()
            return StageStats(
                stage: stage, count: values.count, minMs: values.first ?? 0,
                medianMs: percentile(values, 0.5), p95Ms: percentile(values, 0.95), maxMs: values.last ?? 0)
        }.sorted { order($0.stage) < order($1.stage) }
    }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    private static func order(_ stage: String) -> Int {
        ["load", "describe", "plan", "apply", "readback", "check"].firstIndex(of: stage) ?? 99
    }

    static func render(_ stats: [StageStats]) -> String {
        guard !stats.isEmpty else { return "No timings yet.\n" }
        // A run times load, describe and plan once, and apply, read-back and checks once per
        // chunk: the count is of timings, not of runs.
        var lines = ["STAGE    SAMPLES      MIN ms   MEDIAN ms      P95 ms      MAX ms"]
        for row in stats {
            lines.append(
                String(
                    format: "%@ %6d %11.2f %11.2f %11.2f %11.2f", row.stage.padding(toLength: 10, withPad: " ", startingAt: 0), row.count, row.minMs,
                    row.medianMs, row.p95Ms, row.maxMs))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
