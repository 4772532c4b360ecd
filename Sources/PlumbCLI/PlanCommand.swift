import ArgumentParser
import PlumbCore
import PlumbRunner

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Show what applying the desired state would change.")

    @OptionGroup var source: SourceOptions
    @OptionGroup var state: StateOptions

    @Option(help: "With --repo: plan the merge of --ref into this base, marking each change as change or drift.")
    var base: String?

    @Option(help: "text, json or markdown.")
    var format: OutputFormat = .text

    @Option(help: "Write the plan to this file instead of stdout.")
    var out: String?

    @Flag(help: "Exit 2 when the plan has changes, 1 when apply would refuse it (safety limits without --force, protection, policies).")
    var exitCode = false

    @Option(help: "Only changes whose address matches this glob (repeatable).")
    var target: [String] = []

    func run() async throws {
        var hasChanges = false
        var refused = false
        try await runReportingErrors {
            if base != nil, source.repo == nil { throw CLIError(message: "--base needs --repo") }
            var context = try await state.workspace(source)
            // As the agent reviews a request: with the base's bindings and plumb.yaml.
            if let base { context = try ReviewPlanner.workspace(context, base: base) }
            let (desired, planned) = try await context.planDesired(options: PlanOptions(targets: target))
            var plan = planned
            var review: Review?
            if let base {
                review = try ReviewPlanner.review(planned, context: context, base: base, head: desired)
                plan = review?.plan ?? plan
            }
            // A review (--base) shows the network and access its changes touch.
            let diagram = base == nil ? nil : NetworkGraph(desired: desired, plan: plan).affected()
            if let review {
                try Console.emit(PlanOutput.render(review, format: format, diagram: diagram), to: out)
            } else {
                try Console.emit(PlanOutput.render(plan, format: format, diagram: diagram), to: out)
            }
            hasChanges = plan.hasChanges
            refused = !plan.refusals.isEmpty
        }
        // SPEC §5: a refused plan is 1, ahead of "has changes".
        if exitCode && refused { throw ExitCode.failure }
        if exitCode && hasChanges { throw ExitCode.changesPresent }
    }
}

enum PlanOutput {
    static func render(_ review: Review, format: OutputFormat, diagram: NetworkGraph?) throws -> String {
        switch format {
        case .text: return ReviewTextRenderer(style: Console.style).render(review)
        case .json: return try JSONOutput.encode(review.plan)
        case .markdown: return ReviewMarkdownRenderer().render(review, diagram: diagram)
        }
    }

    static func render(_ plan: Plan, format: OutputFormat, diagram: NetworkGraph? = nil) throws -> String {
        switch format {
        case .text: return PlanTextRenderer(style: Console.style).render(plan)
        case .json: return try JSONOutput.encode(plan)
        case .markdown: return PlanMarkdownRenderer().render(plan, diagram: diagram)
        }
    }
}
