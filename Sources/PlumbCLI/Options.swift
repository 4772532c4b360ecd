import ArgumentParser
import Foundation
import Logging
import PlumbCore
import PlumbRunner
import PlumbStore

/// `SOURCE: --root DIR | --repo URL_OR_PATH [--ref REF]` (SPEC §5).
struct SourceOptions: ParsableArguments {
    @Option(help: "A desired-state repository on disk.")
    var root: String?

    @Option(help: "A git repository (path or URL) to read the desired state from, without a checkout.")
    var repo: String?

    @Option(help: "With --repo: the branch, tag, commit or ref to read.")
    var ref: String?

    mutating func validate() throws {
        if root != nil && repo != nil { throw ValidationError("give --root or --repo, not both") }
        if ref != nil && repo == nil { throw ValidationError("--ref needs --repo") }
    }
}

struct StateOptions: ParsableArguments {
    @Option(help: "Where Plumb keeps history, journal, git mirrors and the embedded inventory.")
    var state: String = ".plumb"

    @Option(help: "Where history, prior state and leases live: sqlite:PATH (default: under --state) or postgres://USER@HOST:PORT/DB.")
    var store: String?

    /// The store to use, when `--store` names one; nil leaves the SQLite file under --state.
    func openStore(agent: String? = nil) async throws -> (any StateStore)? {
        guard let store else { return nil }
        return try await StoreOpener.open(store, stateDirectory: state, agent: agent, logger: Logger(label: "plumb.store"))
    }

    /// A source opened with this state directory and store.
    func workspace(_ source: SourceOptions) async throws -> Workspace {
        var workspace = try Workspace.open(root: source.root, repo: source.repo, ref: source.ref, stateDirectory: state)
        workspace.store = try await openStore()
        workspace.colorDiagnostics = Console.stderrIsTerminal && Console.colorAllowed
        return workspace
    }
}

/// `plan` and `drift`: for people, for programs, or for a pull-request comment.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown
}

/// `apply`, `check` and `history` have no Markdown form, so their help does not offer one.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
