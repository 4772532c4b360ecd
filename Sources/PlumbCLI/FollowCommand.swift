import ArgumentParser
import Foundation
import PlumbCore
import PlumbGit

/// `plumb follow` (SPEC §8.4): waits for the agent to reconcile a commit, printing each chunk
/// and check as it happens; exits with the run's outcome, or 5 when `--timeout` passes first.
struct FollowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow", abstract: "Follow the agent's reconcile of a commit, live, and exit with its outcome.")

    @Option(help: "The agent's URL (default: $PLUMB_AGENT_URL, else http://127.0.0.1:8080).")
    var agent: String?

    @Option(help: "Only this stack's run (an agent may follow several).")
    var stack: String?

    @Option(help: "The commit to follow: an id, or a ref of the git work tree here (default: HEAD).")
    var commit: String?

    @Option(help: "How long to wait, e.g. 30s, 10m; exit 5 when it passes.")
    var timeout = "10m"

    @Option(help: "text, or json for one JSON object per event.")
    var format: FollowFormat = .text

    enum FollowFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    static let timedOut: Int32 = 5

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var base = agent ?? environment["PLUMB_AGENT_URL"] ?? "http://127.0.0.1:8080"
        while base.hasSuffix("/") { base.removeLast() }
        var exitCode: Int32 = 0
        try await runReportingErrors {
            guard let limit = DurationText.parse(timeout) else {
                throw CLIError(message: "--timeout takes a duration such as 30s, 10m")
            }
            let id = try Self.resolve(commit ?? "HEAD")
            let follower = Follower(
                agent: base, token: environment["PLUMB_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }, commit: id, stack: stack,
                deadline: .now + limit, output: FollowOutput(json: format == .json, style: Console.style))
            exitCode = await follower.run()
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    /// A full commit id as given, else the ref resolved in the git work tree around the
    /// current directory.
    static func resolve(_ ref: String) throws -> String {
        if ref.count == 40, ref.allSatisfy(\.isHexDigit) { return ref.lowercased() }
        do {
            return try GitRepository.open(path: FileManager.default.currentDirectoryPath).resolve(ref).id
        } catch {
            throw CLIError(.git, message: "--commit \(ref): \(error) (give a full commit id outside a git work tree)")
        }
    }
}
