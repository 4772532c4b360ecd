import ArgumentParser
import PlumbCore
import PlumbRunner

struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift", abstract: "Report how live infrastructure differs from the desired state.")

    @OptionGroup var source: SourceOptions
    @OptionGroup var state: StateOptions

    @Option(help: "text, json or markdown.")
    var format: OutputFormat = .text

    @Option(help: "Write the report to this file instead of stdout.")
    var out: String?

    @Flag(help: "Exit 2 when drift was found.")
    var exitCode = false

    func run() async throws {
        var drifted = false
        try await runReportingErrors {
            let context = try await state.workspace(source)
            let plan = try await context.planDesired().plan
            let report = DriftReport(plan: plan)
            let text: String =
                switch format {
                case .text: DriftTextRenderer(style: Console.style).render(report)
                case .json: try JSONOutput.encode(report)
                case .markdown: DriftMarkdownRenderer().render(report)
                }
            try Console.emit(text, to: out)
            drifted = report.hasDrift
        }
        if exitCode && drifted { throw ExitCode.changesPresent }
    }
}
