import Foundation
import PlumbChecks
import PlumbCore
import PlumbGit
import PlumbProviderAWS
import PlumbProviderEmbedded
import PlumbProviderPowerDNS
import PlumbProviderRFC2136
import PlumbStore
import Synchronization

/// Where a command or the agent works: the source read (a directory or a git commit), the
/// state directory, and what loading and planning need. The CLI and the agent both go
/// through it, so they plan and apply the same way.
public struct Workspace: Sendable {
    public var tree: any SourceTree {
        didSet { loaded = LoadedDesired() }
    }
    public var source: PlanSource
    public var commit: CommitInfo?
    public var stateDirectory: String
    public var environment: [String: String] {
        didSet { loaded = LoadedDesired() }
    }
    /// A commit's desired state, loaded once by this workspace and its copies: a commit never
    /// changes, and an agent pass reads it three times (the stack's name, the push's focus,
    /// the apply), each a validation of every resource (10,000 records: 17 ms each).
    private var loaded = LoadedDesired()
    /// With `--repo`: the repository, for review plans.
    public var git: GitRepository?
    /// Shared by every load, so two commits parse common files once.
    public var cache = DocumentCache()
    /// The store given by `--store`; nil: the SQLite file under `stateDirectory`.
    public var store: (any StateStore)?
    /// Diagnostics in colour (the CLI sets it when stderr is a terminal).
    public var colorDiagnostics = false
    /// Secrets known apart from the environment and bindings: the password of the `--repo`
    /// or `--store` URL. Redacted from check output with the rest.
    public var knownSecrets: [String] = []

    public init(
        tree: any SourceTree, source: PlanSource, commit: CommitInfo?, stateDirectory: String,
        environment: [String: String], git: GitRepository? = nil, cache: DocumentCache = DocumentCache(),
        store: (any StateStore)? = nil
    ) {
        self.tree = tree
        self.source = source
        self.commit = commit
        self.stateDirectory = stateDirectory
        self.environment = environment
        self.git = git
        self.cache = cache
        self.store = store
    }

    /// `--root DIR`, or `--repo URL_OR_PATH [--ref REF]`.
    public static func open(root: String?, repo: String?, ref: String?, stateDirectory: String) throws -> Workspace {
        let environment = ProcessInfo.processInfo.environment
        if let repo {
            let opened = try GitSource.open(repo: repo, ref: ref ?? "HEAD", stateDirectory: stateDirectory)
            var workspace = Workspace(
                tree: opened.tree, source: opened.source, commit: opened.commit,
                stateDirectory: stateDirectory, environment: environment, git: opened.repository)
            workspace.knownSecrets = [URLUserInfo.split(repo).password].compactMap { $0 }
            return workspace
        }
        let root = root ?? "."
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RunnerError(.invalidInput, message: "--root \(root): no such directory")
        }
        let tree = DirectoryTree(root: root)
        var source = PlanSource(root: tree.root.path)
        let commit = WorkTreeCommit.read(root: tree.root.path)
        source.commit = commit?.id
        source.dirty = commit?.dirty
        return Workspace(tree: tree, source: source, commit: commit, stateDirectory: stateDirectory, environment: environment)
    }

    /// Loads and validates; diagnostics are printed and become exit 1.
    public func loadDesired() throws -> DesiredState {
        try loadDesiredTimed().desired
    }

    /// The desired state and what loading it cost, when it was loaded: an agent pass loads
    /// a commit before its apply, whose "load" stage would otherwise say 0 ms.
    public func loadDesiredTimed() throws -> (desired: DesiredState, seconds: Double) {
        // A directory may be edited while a command runs; a commit may not.
        let watch = Stopwatch()
        guard tree is GitCommitTree else { return (try loadDesired(from: tree), watch.seconds) }
        if let loaded = loaded.state.withLock({ $0 }) { return loaded }
        let desired = try loadDesired(from: tree)
        let seconds = watch.seconds
        loaded.state.withLock { $0 = (desired, seconds) }
        return (desired, seconds)
    }

    public func loadDesired(from tree: any SourceTree) throws -> DesiredState {
        defer { FreedMemory.release() }
        do {
            return try DesiredStateLoader(environment: environment, cache: cache).load(tree)
        } catch let error as DiagnosticsError {
            let location = tree is GitCommitTree ? "in \(tree.label):\n" : ""
            throw RunnerError(
                .invalidInput,
                message: location + DiagnosticPrinter(tree: tree, style: TextStyle(color: colorDiagnostics)).render(error.diagnostics),
                diagnostics: error.diagnostics)
        }
    }

    public func providers(for desired: DesiredState) throws -> [String: any Provider] {
        var providers: [String: any Provider] = [:]
        let used = Set(desired.resources.values.map(\.provider))
        // Bindings no document uses are validated but never contacted.
        for (name, binding) in desired.providers where used.contains(name) {
            do {
                providers[name] = try makeProvider(binding)
            } catch let error as ProviderError {
                // It names its provider already.
                throw RunnerError(.describeFailed, message: "\(error)")
            } catch {
                throw RunnerError(.describeFailed, message: "provider \(name): \(error)")
            }
        }
        return providers
    }

    func makeProvider(_ binding: ProviderBinding) throws -> any Provider {
        try ProviderFactories.registry.make(binding, environment: ProviderEnvironment(stateDirectory: stateDirectory, variables: environment))
    }

    /// The store if there is one already: the given one, or the SQLite file under
    /// `--state` when it exists. Creates nothing.
    func existingStore() -> (any StateStore)? {
        if let store { return store }
        guard FileManager.default.fileExists(atPath: SQLiteStateStore.path(inDirectory: stateDirectory)) else { return nil }
        return try? SQLiteStateStore(directory: stateDirectory)
    }

    public func openStore() throws -> any StateStore {
        if let store { return store }
        do {
            return try SQLiteStateStore(directory: stateDirectory)
        } catch {
            throw RunnerError(.store, message: "cannot open the state under \(stateDirectory): \(error)")
        }
    }

    /// Loads the desired state and plans it against live inventory and the stack's prior
    /// state: what `plan`, `drift`, review plans and drift passes all need.
    public func planDesired(options: PlanOptions = PlanOptions()) async throws -> (desired: DesiredState, plan: Plan) {
        // The prior state is read, and the zones it remembers described, while the documents
        // load (startPrefetch): only the stack's name is needed, from plumb.yaml.
        let stack = DesiredStateLoader(environment: environment).stackName(tree)
        let early = Task { await startPrefetch(stack: stack, options: options) }
        let desired: DesiredState
        do {
            desired = try loadDesired()
        } catch {
            early.cancel()
            await early.value.prefetch?.cancel()
            throw error
        }
        let started = await withTaskCancellationHandler {
            await early.value
        } onCancel: {
            early.cancel()
        }
        var (prior, prefetch) = (started.prior, started.prefetch)
        do {
            let store = try started.store ?? openStore()
            if desired.settings.stack != stack {
                prefetch?.cancel()
                (prior, prefetch) = (nil, nil)
            }
            let known: PriorState
            if let prior { known = prior } else { known = try await store.prior(stack: desired.settings.stack) }
            let outcome = try await plan(desired, prior: known, options: options, providers: providers(for: desired), prefetch: prefetch)
            FreedMemory.dropLater((outcome.inventories, known))
            return (desired, outcome.plan)
        } catch {
            prefetch?.cancel()
            throw error
        }
    }

    /// While the documents load: the stack's prior state and, from it, a describe of the
    /// zones a DNS binding will most likely be asked for (see DescribePrefetch). Only from a
    /// store that exists already (documents that do not load must create nothing) and
    /// bindings that load; otherwise nothing, and the plan reads and reports as before.
    private func startPrefetch(stack: String, options: PlanOptions) async -> (
        store: (any StateStore)?, prior: PriorState?, prefetch: DescribePrefetch?
    ) {
        guard let store = existingStore(), let prior = try? await store.prior(stack: stack) else { return (nil, nil, nil) }
        guard options.focus == nil, !Task.isCancelled,
            let bindings = try? DesiredStateLoader(environment: environment).loadProviders(tree)
        else { return (store, prior, nil) }
        let predicted = DescribePrefetch.predictedScopes(stack: stack, bindings: bindings, prior: prior)
        var providers: [String: any Provider] = [:]
        for name in predicted.keys {
            if let binding = bindings[name], let provider = try? makeProvider(binding) { providers[name] = provider }
        }
        return (store, prior, DescribePrefetch(predicted: predicted, providers: providers))
    }

    /// Plans the desired state against live inventory.
    public func plan(
        _ desired: DesiredState, prior: PriorState, options: PlanOptions, providers: [String: any Provider],
        prefetch: DescribePrefetch? = nil
    ) async throws -> PlanPipeline.Outcome {
        let pipeline = PlanPipeline(desired: desired, providers: providers, prior: prior, options: options)
        do {
            return try await pipeline.run(source: source, prefetch: prefetch)
        } catch {
            throw RunnerError(.describeFailed, message: "describe failed, nothing was changed: \(error)")
        }
    }

    /// Every secret value this workspace knows: secret-named variables of its environment,
    /// the secret-keyed values of the bindings, passwords in URLs (SPEC §8.1).
    public func redactor(bindings: [String: ProviderBinding] = [:]) -> Redactor {
        Redactor.known(environment: environment, bindings: bindings).adding(knownSecrets)
    }

    /// Command checks run in the repository root: the directory, or for `--repo` the
    /// commit's files exported under `--state/checkouts/`; with the minimal environment of
    /// SPEC §8.1, and their output redacted.
    public func checkExecutor(desired: DesiredState? = nil) throws -> CheckExecutor {
        var directory = (tree as? DirectoryTree)?.root.path ?? FileManager.default.currentDirectoryPath
        if let commitTree = tree as? GitCommitTree {
            directory =
                URL(fileURLWithPath: stateDirectory).standardizedFileURL
                .appendingPathComponent("checkouts/\(commitTree.commit.id)").path
            do {
                try commitTree.export(to: directory)
            } catch {
                throw RunnerError(.git, message: "cannot export \(commitTree.label) for command checks: \(error)")
            }
        }
        let state = URL(fileURLWithPath: stateDirectory).standardizedFileURL.path
        let base = CommandEnvironment.base(
            process: environment, stack: desired?.settings.stack, commit: commit?.id, stateDirectory: state)
        let secrets = redactor(bindings: desired?.providers ?? [:])
        let probe = SystemProbe(environment: base, available: environment, redactor: secrets)
        return CheckExecutor(probe: probe, workingDirectory: directory, redactor: secrets)
    }
}

public enum ProviderFactories {
    /// Built once: `makeProvider` asks for it per binding.
    public static let registry: ProviderRegistry = {
        var registry = ProviderRegistry()
        registry.register(.embedded) { binding, environment in
            try EmbeddedProvider(binding: binding, stateDirectory: environment.stateDirectory)
        }
        registry.register(.powerdns) { binding, _ in try PowerDNSProvider(binding: binding) }
        registry.register(.rfc2136) { binding, _ in try RFC2136Provider(binding: binding) }
        registry.register(.aws) { binding, environment in
            try AWSProvider(binding: binding, environment: environment.variables)
        }
        return registry
    }()
}

/// Shared by a workspace's copies (a reference), reset when its tree or environment changes.
final class LoadedDesired: Sendable {
    let state = Mutex<(desired: DesiredState, seconds: Double)?>(nil)
}
