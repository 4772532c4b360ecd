import ArgumentParser
import Foundation
import PlumbCore
import PlumbRunner
import PlumbStore

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Run the stack's checks against live infrastructure now (exit 0: all pass, 3: one fails).")

    @OptionGroup var source: SourceOptions
    @OptionGroup var state: StateOptions

    @Option(help: "Only the check of this name (repeatable).")
    var only: [String] = []

    @Option(help: "text or json.")
    var format: ReportFormat = .text

    func run() async throws {
        var exit: Int32 = 0
        try await runReportingErrors {
            let workspace = try await state.workspace(source)
            let outcome = try await workspace.check(only: only, onEvent: ApplyProgress.report)
            switch format {
            case .json: Console.out(try JSONOutput.encode(CheckReport(outcome)))
            default: Console.out(CheckTextRenderer(style: Console.style).render(outcome))
            }
            exit = outcome.exitCode
        }
        if exit != 0 { throw ExitCode(exit) }
    }
}

/// `check --format json`.
struct CheckReport: Encodable {
    var format = "plumb.check/v1"
    var stack: String
    var run: Int64
    var passed: Bool
    var checks: [CheckResult]
    var owed: FailedChecks?
    var note: String?

    init(_ outcome: CheckOutcome) {
        stack = outcome.stack
        run = outcome.run
        passed = outcome.passed
        checks = outcome.results
        owed = outcome.owed
        note = outcome.note
    }

    enum CodingKeys: String, CodingKey { case format, stack, run, passed, checks, owed, note }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(stack, forKey: .stack)
        try container.encode(run, forKey: .run)
        try container.encode(passed, forKey: .passed)
        try container.encode(checks, forKey: .checks)
        try container.encode(owed, forKey: .owed)
        try container.encode(note, forKey: .note)
    }
}

struct CheckTextRenderer {
    let style: TextStyle

    func render(_ outcome: CheckOutcome) -> String {
        var lines = [style.bold("Checks of stack \(outcome.stack)") + style.dim(" (run \(outcome.run))")]
        if outcome.results.isEmpty { lines.append("No checks to run.") }
        for check in outcome.results { lines.append(CheckLine.render(check, style: style)) }
        if let note = outcome.note { lines.append(style.green(note)) }
        if let owed = outcome.owed {
            lines.append(
                style.red("Still failing since run \(owed.run): \(owed.checks.joined(separator: ", ")); the commit is not applied until they pass."))
        }
        lines.append(
            outcome.passed
                ? style.green("All \(outcome.results.count) checks pass.")
                : style.red("\(outcome.results.filter { !$0.passed }.count) of \(outcome.results.count) checks fail."))
        return lines.joined(separator: "\n") + "\n"
    }
}

enum CheckLine {
    static func render(_ check: CheckResult, style: TextStyle) -> String {
        "  \(check.passed ? style.green("✓") : style.red("✗")) check \(check.name): \(check.detail) (\(Int(check.durationMs)) ms)"
    }
}
