import ArgumentParser
import PlumbCore
import PlumbRunner

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check the desired state: every error and policy finding, with file:line:column.")

    @OptionGroup var source: SourceOptions
    @OptionGroup var state: StateOptions

    func run() async throws {
        try await runReportingErrors {
            var context = try Workspace.open(root: source.root, repo: source.repo, ref: source.ref, stateDirectory: state.state)
            context.colorDiagnostics = Console.stderrIsTerminal && Console.colorAllowed
            let desired = try context.loadDesired()
            // The desired state's rules; plan rules (plan-delete-zone) need a plan.
            let findings = PolicyEngine(severities: desired.settings.policies).evaluate(PolicyContext(desired: desired))
            if !findings.isEmpty {
                let style = TextStyle(color: Console.stderrIsTerminal && Console.colorAllowed)
                Console.err(PlanTextRenderer(style: style).policyLines(findings).joined(separator: "\n"))
            }
            let denied = findings.filter(\.blocks).count
            if denied > 0 {
                throw CLIError(
                    message:
                        "invalid: \(denied) policy finding\(denied == 1 ? "" : "s") deny this desired state (waive with a reason, or change the resource)"
                )
            }
            let kinds = Dictionary(grouping: desired.resources.values, by: \.address.kind)
                .sorted { $0.key < $1.key }
                .map { "\($0.value.count) \($0.key.rawValue)" }
                .joined(separator: ", ")
            Console.out("valid: stack \(desired.settings.stack): \(kinds); \(desired.checks.count) checks; \(desired.providers.count) providers\n")
        }
    }
}
