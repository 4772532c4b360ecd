import Foundation
import PlumbCore
import PlumbChecks
import PlumbGit
import PlumbProviderEmbedded
import PlumbProviderPowerDNS
import PlumbStore

/// What every command needs: the source read, the desired state loaded, providers built.
struct CommandContext {
    var tree: any SourceTree
    var source: PlanSource
    var commit: CommitInfo?
    var stateDirectory: String
    var environment: [String: String]
    /// With `--repo`: the repository, for review plans.
    var git: GitRepository?
    /// Shared by every load of this command, so two commits parse common files once.
    var cache = DocumentCache()

    static func open(_ options: SourceOptions, state: StateOptions) throws -> CommandContext {
        let environment = ProcessInfo.processInfo.environment
        if let repo = options.repo {
            let opened = try GitSource.open(repo: repo, ref: options.ref ?? "HEAD", stateDirectory: state.state)
            return CommandContext(
                tree: opened.tree, source: opened.source, commit: opened.commit,
                stateDirectory: state.state, environment: environment, git: opened.repository)
        }
        let root = options.root ?? "."
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError(message: "--root \(root): no such directory")
        }
        let tree = DirectoryTree(root: root)
        return CommandContext(
            tree: tree, source: PlanSource(root: tree.root.path), commit: nil,
            stateDirectory: state.state, environment: environment)
    }

    /// Loads and validates; diagnostics are printed and become exit 1.
    func loadDesired() throws -> DesiredState {
        try loadDesired(from: tree)
    }

    func loadDesired(from tree: any SourceTree) throws -> DesiredState {
        do {
            return try DesiredStateLoader(environment: environment, cache: cache).load(tree)
        } catch let error as DiagnosticsError {
            let location = tree is GitCommitTree ? "in \(tree.label):\n" : ""
            throw CLIError(message: location + DiagnosticPrinter(tree: tree).render(error.diagnostics))
        }
    }

    func providers(for desired: DesiredState) throws -> [String: any Provider] {
        let registry = ProviderFactories.registry
        let environment = ProviderEnvironment(stateDirectory: stateDirectory, variables: self.environment)
        var providers: [String: any Provider] = [:]
        let used = Set(desired.resources.values.map(\.provider))
        // Bindings no document uses are validated but never contacted.
        for (name, binding) in desired.providers where used.contains(name) {
            do {
                providers[name] = try registry.make(binding, environment: environment)
            } catch {
                throw CLIError(message: "provider \(name): \(error)")
            }
        }
        return providers
    }

    func openStore() throws -> StateStore {
        do {
            return try StateStore(directory: stateDirectory)
        } catch {
            throw CLIError(message: "cannot open the state under \(stateDirectory): \(error)")
        }
    }

    /// Plans the desired state against live inventory.
    func plan(_ desired: DesiredState, prior: PriorState, options: PlanOptions, providers: [String: any Provider]) async throws -> PlanPipeline.Outcome {
        let pipeline = PlanPipeline(desired: desired, providers: providers, prior: prior, options: options)
        do {
            return try await pipeline.run(source: source)
        } catch {
            throw CLIError(message: "describe failed, nothing was changed: \(error)")
        }
    }

    /// Command checks run in the repository root: the directory, or for `--repo` the
    /// commit's files exported under `--state/checkouts/`.
    func checkExecutor() throws -> CheckExecutor {
        var directory = (tree as? DirectoryTree)?.root.path ?? FileManager.default.currentDirectoryPath
        if let commitTree = tree as? GitCommitTree {
            directory = URL(fileURLWithPath: stateDirectory).standardizedFileURL
                .appendingPathComponent("checkouts/\(commitTree.commit.id)").path
            do {
                try commitTree.export(to: directory)
            } catch {
                throw CLIError(message: "cannot export \(commitTree.label) for command checks: \(error)")
            }
        }
        let state = URL(fileURLWithPath: stateDirectory).standardizedFileURL.path
        return CheckExecutor(probe: SystemProbe(environment: ["PLUMB_STATE_DIR": state]), workingDirectory: directory)
    }
}

enum ProviderFactories {
    static var registry: ProviderRegistry {
        var registry = ProviderRegistry()
        registry.register(.embedded) { binding, environment in
            try EmbeddedProvider(binding: binding, stateDirectory: environment.stateDirectory)
        }
        registry.register(.powerdns) { binding, _ in try PowerDNSProvider(binding: binding) }
        return registry
    }
}
