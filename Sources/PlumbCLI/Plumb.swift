import ArgumentParser
import Foundation
import PlumbRunner

@main
struct Plumb: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plumb",
        abstract: "Keeps infrastructure equal to what a git repository says it should be.",
        version: "0.1.0",
        subcommands: [
            ValidateCommand.self, PlanCommand.self, ApplyCommand.self, DriftCommand.self,
            ImportCommand.self, AgentCommand.self, HistoryCommand.self, GraphCommand.self, FollowCommand.self, CheckCommand.self,
        ])
}

/// Runs a command body, turning `CLIError` into its message on stderr and its exit code.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    // Everything Plumb creates under --state (history, journal, inventories, mirrors,
    // locks) is its user's alone: the history names resources and the journal their values.
    umask(0o077)
    FreedMemory.configureAllocator()
    do {
        try await body()
    } catch let error as CLIError {
        Console.err(error.message)
        throw ExitCode(error.code)
    }
}
