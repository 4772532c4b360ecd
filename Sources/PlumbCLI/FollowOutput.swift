import Foundation
import PlumbAgent
import PlumbCore
import PlumbStore

/// What `plumb follow` prints: the CLI's apply style line by line as events arrive (stdout),
/// or with `--format json` each event as one JSON object per line.
struct FollowOutput: Sendable {
    let json: Bool
    let style: TextStyle

    func header(commit: String, agent: String, stack: String?) {
        guard !json else { return }
        Console.err(style.dim("following \(commit.prefix(12)) on \(agent)\(stack.map { " (stack \($0))" } ?? "")"))
    }

    func show(_ event: AgentEvent) {
        if json {
            if let data = try? AgentEvent.encoder.encode(event) { Console.out(String(decoding: data, as: UTF8.self) + "\n") }
            return
        }
        let lines = Self.lines(event, style: style)
        if !lines.isEmpty { Console.out(lines.joined(separator: "\n") + "\n") }
    }

    /// A run found finished in the history (its events are no longer held by the agent).
    func show(_ run: FinishedRun) {
        if json {
            let object: [String: Any] = [
                "type": "run_finished", "stack": run.stack, "run": run.id, "commit": run.commit?.id ?? "",
                "outcome": run.status, "exit_code": run.exitCode, "error": run.error ?? NSNull(),
            ]
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                Console.out(String(decoding: data, as: UTF8.self) + "\n")
            }
            return
        }
        let status = run.exitCode == 0 ? style.green(run.status) : style.red(run.status)
        Console.out("run \(run.id) of stack \(run.stack) already finished: \(status)\(run.error.map { ": " + $0 } ?? "")\n")
    }

    func failed(_ message: String) {
        Console.err(style.red("error: ") + message)
    }

    func timedOut(lastError: String?) {
        Console.err(style.red("timed out") + (lastError.map { " (last: \($0))" } ?? ""))
    }

    /// The text of one event; several lines for a chunk (one per change).
    static func lines(_ event: AgentEvent, style: TextStyle) -> [String] {
        let run = event.run.map { " \($0)" } ?? ""
        switch event.type {
        case .runStarted:
            let who = event.author.map { " by \($0)" } ?? ""
            return [style.bold("run\(run) of stack \(event.stack)") + " started: \(event.commit?.prefix(12) ?? "?") \(event.subject ?? "")\(who)"]
        case .chunkApplied, .chunkFailed:
            guard let chunk = event.chunk else { return [] }
            let label = event.type == .chunkApplied ? style.green("applied") : style.red("FAILED")
            var out = ["chunk \(chunk.index + 1)/\(event.chunks ?? chunk.index + 1): \(label) (\(Int(chunk.durationMs)) ms)"]
            for change in chunk.changes { out.append(ApplyTextRenderer.line(change, style: style)) }
            return out
        case .checkPassed, .checkFailed:
            guard let check = event.check else { return [] }
            let mark = check.passed ? style.green("✓") : style.red("✗")
            return ["  \(mark) check \(check.name): \(check.detail) (\(Int(check.durationMs)) ms)"]
        case .runFinished:
            var out: [String] = []
            let outcome = event.outcome?.rawValue ?? "finished"
            let painted = event.exitCode == 0 ? style.green(outcome) : style.red(outcome)
            out.append(style.bold("run\(run) \(painted)") + ": " + event.oneLine)
            if event.outcome != .succeeded && event.outcome != .unchanged, let error = event.error, error.contains("\n") {
                out.append(error)
            }
            if let timings = event.timings, !timings.isEmpty { out.append(style.dim("stages: " + stages(timings))) }
            if let seconds = event.pushToLiveSeconds { out.append("push to live: " + String(format: "%.2f s", seconds)) }
            return out
        case .driftAppeared, .driftCleared:
            return []
        }
    }

    /// `load 12 ms · describe 40 ms · apply 30 ms · check 5 ms`: stages summed by name, in
    /// the order they first ran.
    static func stages(_ timings: [StageTiming]) -> String {
        var order: [String] = []
        var total: [String: Double] = [:]
        for timing in timings {
            if total[timing.stage] == nil { order.append(timing.stage) }
            total[timing.stage, default: 0] += timing.seconds
        }
        return order.map { "\($0) \(Int(((total[$0] ?? 0) * 1000).rounded())) ms" }.joined(separator: " · ")
    }
}
