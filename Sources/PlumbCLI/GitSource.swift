import PlumbCore
import PlumbStore

/// Reading the desired state from a git commit (`--repo`).
enum GitSource {
    struct Opened {
        var tree: any SourceTree
        var source: PlanSource
        var commit: CommitInfo
    }

    static func open(repo: String, ref: String, stateDirectory: String) throws -> Opened {
        throw CLIError(message: "--repo: reading the desired state from git is not built yet; use --root with a checkout")
    }
}
