import Foundation

/// Loads and validates a desired-state repository (SPEC §1–§4).
///
/// Every problem is collected; loading fails with all of them, sorted by position, so
/// `plumb validate` reports the whole list at once.
public struct DesiredStateLoader: Sendable {
    public var environment: [String: String]
    public var cache: DocumentCache?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, cache: DocumentCache? = nil) {
        self.environment = environment
        self.cache = cache
    }

    public func load(_ tree: some SourceTree) throws -> DesiredState {
        var bag = DiagnosticBag()
        let settingsText = readText(tree, "plumb.yaml", into: &bag)
        let settings = SettingsLoader.load(settingsText, file: "plumb.yaml", defaultStack: tree.defaultStackName, into: &bag)

        let providers = try loadProviders(tree, into: &bag)

        var declarations = Declarations()
        let documents = try yamlFiles(tree, under: "Desired")
        if documents.isEmpty {
            bag.error(.io, at: nil, "\(tree.label) has no Desired/*.yaml documents", hint: "put resource documents under Desired/")
        }
        for path in documents {
            let parse = { () -> DocumentCache.Entry in
                var readBag = DiagnosticBag()
                guard let text = readText(tree, path, into: &readBag) else {
                    return DocumentCache.Entry(declarations: Declarations(), diagnostics: readBag.items)
                }
                var loader = DocumentLoader(file: path)
                loader.load(consume text)
                return DocumentCache.Entry(declarations: loader.declarations, diagnostics: loader.reader.diagnostics.items)
            }
            let entry: DocumentCache.Entry
            if let cache, let id = tree.contentID(path) {
                entry = cache.entry(path: path, contentID: id, parse: parse)
            } else {
                entry = parse()
            }
            bag.append(contentsOf: entry.diagnostics)
            // The first document's array is taken as it is, not copied element by element.
            if declarations.resources.isEmpty {
                declarations.resources = entry.declarations.resources
            } else {
                declarations.resources += entry.declarations.resources
            }
            declarations.checks += entry.declarations.checks
            declarations.references += entry.declarations.references
            declarations.providerUses += entry.declarations.providerUses
            declarations.named.formUnion(entry.declarations.named)
        }

        var validator = Validator(declarations: declarations, providers: providers)
        // A binding file that exists but failed to load has its own errors: documents that
        // name it are not told that it is "not defined" as well (one root cause, one error).
        validator.invalidProviders = Set(
            try yamlFiles(tree, under: "Providers").map {
                ((($0 as NSString).lastPathComponent) as NSString).deletingPathExtension
            }
        ).subtracting(providers.keys)
        let resources = validator.validate()
        bag.append(contentsOf: validator.diagnostics.items)
        guard bag.isEmpty else { throw DiagnosticsError(bag.items) }
        return DesiredState(settings: settings, providers: providers, resources: resources, checks: declarations.checks)
    }

    /// The stack's name from plumb.yaml alone, to read its stored state while the documents
    /// load; problems are left for `load` to report.
    public func stackName(_ tree: some SourceTree) -> String {
        var bag = DiagnosticBag()
        let text = readText(tree, "plumb.yaml", into: &bag)
        return SettingsLoader.load(text, file: "plumb.yaml", defaultStack: tree.defaultStackName, into: &bag).stack
    }

    /// Only the provider bindings, for commands that need no documents (`import`).
    public func loadProviders(_ tree: some SourceTree) throws -> [String: ProviderBinding] {
        var bag = DiagnosticBag()
        let providers = try loadProviders(tree, into: &bag)
        guard bag.isEmpty else { throw DiagnosticsError(bag.items) }
        return providers
    }

    private func loadProviders(_ tree: some SourceTree, into bag: inout DiagnosticBag) throws -> [String: ProviderBinding] {
        var providers: [String: ProviderBinding] = [:]
        for path in try yamlFiles(tree, under: "Providers") {
            let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            guard let text = readText(tree, path, into: &bag) else { continue }
            if let binding = ProvidersLoader.load(file: path, name: name, text: text, environment: environment, into: &bag) {
                providers[name] = binding
            }
        }
        return providers
    }

    private func yamlFiles(_ tree: some SourceTree, under directory: String) throws -> [String] {
        try tree.files(under: directory).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
    }

    private func readText(_ tree: some SourceTree, _ path: String, into bag: inout DiagnosticBag) -> String? {
        do {
            guard let data = try tree.read(path) else { return nil }
            guard let text = String(data: data, encoding: .utf8) else {
                bag.error(.io, at: SourceLocation(file: path, line: 1, column: 1), "the file is not valid UTF-8 text", hint: "save it as UTF-8")
                return nil
            }
            guard data.count <= 16 << 20 else {
                bag.error(
                    .io, at: SourceLocation(file: path, line: 1, column: 1),
                    "the file is \(data.count >> 20) MiB; desired-state files are limited to 16 MiB", hint: "split it into several documents")
                return nil
            }
            return text
        } catch let error as SourceTreeError {
            bag.error(
                .io, at: SourceLocation(file: path, line: 1, column: 1), error.description,
                hint: "copy the file into the repository instead of linking to it")
            return nil
        } catch {
            bag.error(.io, at: SourceLocation(file: path, line: 1, column: 1), "cannot read: \(error.localizedDescription)")
            return nil
        }
    }
}
