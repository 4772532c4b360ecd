import ArgumentParser
import Foundation
import PlumbCore
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
    var format: OutputFormat = .text

    func validate() throws {
        if format == .markdown { throw ValidationError("apply prints text or json") }
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

/// One `plumb apply`, step by step.
struct ApplyRun {
    let command: ApplyCommand

    func execute() async throws -> Int32 {
        let context = try CommandContext.open(command.source, state: command.state)
        let loadWatch = Stopwatch()
        let desired = try context.loadDesired()
        let loadSeconds = loadWatch.seconds
        let stack = desired.settings.stack
        let store = try context.openStore()
        let lock: StackLock
        do {
            lock = try StackLock(directory: context.stateDirectory, stack: stack, purpose: "plumb apply")
        } catch let held as StackLock.Held {
            throw CLIError(message: held.description)
        }
        defer { withExtendedLifetime(lock) {} }
        for run in try await store.recoverInterrupted(stack: stack) {
            let pending = run.pending.isEmpty ? "" : "; it may have half-done: \(run.pending.joined(separator: ", "))"
            Console.err("note: run \(run.id) was interrupted\(pending). This run re-reads the live state and converges.")
        }
        let prior = try await store.prior(stack: stack)
        let providers = try context.providers(for: desired)
        let options = PlanOptions(adopt: Set(command.adopt.compactMap(Address.init)), targets: command.target)
        let outcome = try await context.plan(desired, prior: prior, options: options, providers: providers)
        let plan = try choosePlan(outcome.plan)
        try enforceSafety(plan)

        guard plan.hasChanges else {
            let run = try await store.beginRun(stack: stack, command: "apply", source: context.source, commit: context.commit)
            try await store.finishRun(run, status: .unchanged, plan: plan, result: nil, error: nil)
            try await store.savePrior(prior.updated(by: desired, appliedDeletes: []), stack: stack, commit: context.commit?.id)
            try output(plan: plan, result: ApplyResult(status: .unchanged, chunks: []), run: run, timings: [])
            return 0
        }
        try confirm(plan)

        let run = try await store.beginRun(stack: stack, command: "apply", source: context.source, commit: context.commit)
        let recorder = store.recorder(run: run)
        await recorder.timing("load", detail: nil, seconds: loadSeconds)
        for (stage, seconds) in outcome.timings { await recorder.timing(stage, detail: nil, seconds: seconds) }
        let applier = Applier(
            providers: providers, scopes: outcome.scopes, context: ApplyContext(stack: stack),
            checks: desired.checks, executor: try context.checkExecutor(), recorder: recorder,
            onEvent: ApplyProgress.report)
        let result = await applier.apply(plan)
        let status: RunRecord.Status = result.status == .failed ? .failed : .succeeded
        try await store.finishRun(run, status: status, plan: plan, result: result, error: result.error)
        try await store.savePrior(
            Self.priorAfter(prior, desired: desired, result: result), stack: stack,
            commit: result.status == .failed ? nil : context.commit?.id)
        let timings = try await store.run(run)?.timings ?? []
        try output(plan: plan, result: result, run: run, timings: timings)
        if result.status == .failed { return result.changedAnything ? 3 : 1 }
        return 0
    }

    /// With `--plan FILE`: the saved plan, if the inventory still hashes to what it observed.
    private func choosePlan(_ fresh: Plan) throws -> Plan {
        guard let file = command.plan else { return fresh }
        let saved: Plan
        do {
            saved = try JSONDecoder().decode(Plan.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            throw CLIError(message: "--plan \(file): not a plumb.plan/v1 file: \(error)")
        }
        guard saved.format == "plumb.plan/v1", saved.stack == fresh.stack else {
            throw CLIError(message: "--plan \(file): a plan for stack \(saved.stack), not \(fresh.stack)")
        }
        guard saved.observed == fresh.observed else {
            throw CLIError(message: "--plan \(file) is stale: the live inventory changed since it was planned (observed \(saved.observed.prefix(12)), now \(fresh.observed.prefix(12))); plan again")
        }
        return saved
    }

    private func enforceSafety(_ plan: Plan) throws {
        let blocking = plan.refusals.filter { !$0.overridable || !command.force }
        guard !blocking.isEmpty else { return }
        let lines = blocking.map { "  ✗ \($0.message)" }.joined(separator: "\n")
        throw CLIError(message: "refused, nothing was changed:\n\(lines)")
    }

    private func confirm(_ plan: Plan) throws {
        if command.autoApprove { return }
        guard Console.stdinIsTerminal else {
            throw CLIError(message: "apply needs confirmation but there is no terminal; re-run with --auto-approve")
        }
        Console.out(PlanTextRenderer(style: Console.style).render(plan))
        Console.out("\nApply \(plan.summary.total) changes in \(plan.chunks.count) chunks to stack \(plan.stack)? Type 'yes': ")
        guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
            throw CLIError(message: "not applied.")
        }
    }

    private func output(plan: Plan, result: ApplyResult, run: Int64, timings: [StageTiming]) throws {
        switch command.format {
        case .json:
            Console.out(try JSONOutput.encode(ApplyReport(run: run, plan: plan, result: result, timings: timings)))
        default:
            Console.out(ApplyTextRenderer(style: Console.style).render(plan: plan, result: result, run: run))
        }
    }

    /// What Plumb remembers after this run: on success the whole desired state; after a
    /// failure only what was applied, so protection and ownership are never lost.
    static func priorAfter(_ prior: PriorState, desired: DesiredState, result: ApplyResult) -> PriorState {
        let applied = result.chunks.flatMap(\.changes).filter { $0.status == .applied }
        let deletes = Set(applied.filter { $0.action == .delete }.map(\.address))
        if result.status != .failed { return prior.updated(by: desired, appliedDeletes: deletes) }
        let written = Set(applied.filter { $0.action != .delete }.map(\.address))
        let protected = desired.resources.values.filter { $0.protect && written.contains($0.address) }.map(\.address)
        return PriorState(
            managed: prior.managed.union(written).subtracting(deletes),
            protected: prior.protected.union(protected).subtracting(deletes))
    }
}

/// `apply --format json`: the plan, every chunk's status and checks, and stage timings.
struct ApplyReport: Encodable {
    var format = "plumb.apply/v1"
    var run: Int64
    var plan: Plan
    var result: ApplyResult
    var timings: [StageTiming]

    enum CodingKeys: String, CodingKey { case format, run, plan, status, chunks, error, applied, notApplied = "not_applied", timings }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(run, forKey: .run)
        try container.encode(plan, forKey: .plan)
        try container.encode(result.status, forKey: .status)
        try container.encode(result.chunks, forKey: .chunks)
        try container.encode(result.error, forKey: .error)
        try container.encode(result.applied, forKey: .applied)
        try container.encode(result.notApplied, forKey: .notApplied)
        try container.encode(timings, forKey: .timings)
    }
}
