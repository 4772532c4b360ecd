import ArgumentParser
import PlumbCore
import PlumbRunner

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check the desired state: every error, with file:line:column.")

    @OptionGroup var source: SourceOptions
    @OptionGroup var state: StateOptions

    func run() async throws {
        try await runReportingErrors {
            let context = try Workspace.open(root: source.root, repo: source.repo, ref: source.ref, stateDirectory: state.state)
            let desired = try context.loadDesired()
            let kinds = Dictionary(grouping: desired.resources.values, by: \.address.kind)
                .sorted { $0.key < $1.key }
                .map { "\($0.value.count) \($0.key.rawValue)" }
                .joined(separator: ", ")
            Console.out("valid: stack \(desired.settings.stack): \(kinds); \(desired.checks.count) checks; \(desired.providers.count) providers\n")
        }
    }
}
