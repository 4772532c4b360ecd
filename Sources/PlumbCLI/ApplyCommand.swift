import ArgumentParser
import Foundation
import PlumbCore
import PlumbRunner
import PlumbStore

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Apply the plan chunk by chunk, checking after each chunk.")

    @OptionGroup var source: SourceOptions
    @OptionGroup var state: StateOptions

    @Flag(help: "Apply without asking.")
    var autoApprove = false

    @Option(help: "Apply a plan saved by `plan --format json --out FILE`, if the inventory has not moved.")
    var plan: String?

    @Option(help: "Only changes whose address matches this glob (repeatable).")
    var target: [String] = []

    @Flag(help: "Accept a plan over the safety limits (never lifts protect: true).")
    var force = false

    @Option(help: "Take over an untagged resource of this address (repeatable).")
    var adopt: [String] = []

    @Option(help: "text or json.")
    var format: ReportFormat = .text

    func validate() throws {
        for address in adopt where Address(address) == nil {
            throw ValidationError("--adopt \(address) is not a resource address (e.g. net.vpc/main)")
        }
    }

    func run() async throws {
        var exit: Int32 = 0
        try await runReportingErrors {
            exit = try await ApplyRun(command: self).execute()
        }
        if exit != 0 { throw ExitCode(exit) }
    }
}

/// One `plumb apply`: the workspace does the work; this reads options and writes output.
struct ApplyRun {
    let command: ApplyCommand

    func execute() async throws -> Int32 {
        let workspace = try await command.state.workspace(command.source)
        var request = ApplyRequest()
        request.adopt = Set(command.adopt.compactMap(Address.init))
        request.targets = command.target
        request.force = command.force
        if let file = command.plan {
            do {
                request.savedPlan = try JSONDecoder().decode(Plan.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                throw CLIError(message: "--plan \(file): not a plumb.plan/v1 file: \(error)")
            }
        }
        let outcome = try await workspace.apply(request, confirm: confirm, onEvent: ApplyProgress.report)
        for run in outcome.interrupted {
            let pending = run.pending.isEmpty ? "" : "; it may have half-done: \(run.pending.joined(separator: ", "))"
            let finished = run.reverting ? " It was reverting: this run put back what was still live first." : ""
            Console.err("note: run \(run.id) was interrupted\(pending).\(finished) This run re-read the live state and converged.")
        }
        switch command.format {
        case .json:
            Console.out(try JSONOutput.encode(ApplyReport(outcome)))
        default:
            Console.out(
                ApplyTextRenderer(style: Console.style).render(
                    plan: outcome.plan, result: outcome.result, run: outcome.run, recheck: outcome.recheck, note: outcome.note))
        }
        return outcome.exitCode
    }

    private func confirm(_ plan: Plan) throws {
        if command.autoApprove { return }
        guard Console.stdinIsTerminal else {
            throw CLIError(message: "apply needs confirmation but there is no terminal; re-run with --auto-approve")
        }
        Console.out(PlanTextRenderer(style: Console.style).render(plan))
        Console.out(
            "\nApply \(ApplyTextRenderer.count(plan.summary.total, "change")) in \(ApplyTextRenderer.count(plan.chunks.count, "chunk")) to stack \(plan.stack)? Type 'yes': "
        )
        guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
            throw CLIError(message: "not applied.")
        }
    }
}

/// `apply --format json`: the plan, every chunk's status and checks, and stage timings.
struct ApplyReport: Encodable {
    var format = "plumb.apply/v1"
    var run: Int64
    var plan: Plan
    var result: ApplyResult
    var timings: [StageTiming]
    var recheck: Recheck?
    var owed: FailedChecks?
    var note: String?

    init(_ outcome: ApplyOutcome) {
        run = outcome.run
        plan = outcome.plan
        result = outcome.result
        timings = outcome.timings
        recheck = outcome.recheck
        owed = outcome.owed
        note = outcome.note
    }

    enum CodingKeys: String, CodingKey {
        case format, run, plan, status, chunks, error, applied
        case notApplied = "not_applied"
        case revert, reverted, timings, recheck, owed, note
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(run, forKey: .run)
        try container.encode(plan, forKey: .plan)
        // A run whose owed checks still fail did not succeed, whatever its chunks did.
        try container.encode(recheck?.passed == false ? .failed : result.status, forKey: .status)
        try container.encode(result.chunks, forKey: .chunks)
        try container.encode(
            result.error ?? recheck.flatMap { $0.passed ? nil : "a check that failed on run \($0.failedRun) still fails" }, forKey: .error)
        try container.encode(result.applied, forKey: .applied)
        try container.encode(result.notApplied, forKey: .notApplied)
        // `on_failure: revert` after a failed check: the reverse chunks, the checks run again.
        try container.encodeIfPresent(result.revert, forKey: .revert)
        if result.revert != nil { try container.encode(result.reverted, forKey: .reverted) }
        try container.encode(timings, forKey: .timings)
        try container.encode(recheck, forKey: .recheck)
        try container.encode(owed, forKey: .owed)
        try container.encode(note, forKey: .note)
    }
}
