import ArgumentParser
import Foundation
import PlumbCore
import PlumbRunner

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write a provider's current inventory as desired-state documents that plan to no changes.")

    @OptionGroup var source: SourceOptions
    @OptionGroup var state: StateOptions

    @Option(
        help: "The provider binding (Providers/NAME.yaml) to read.",
        completion: .custom { _, _, _ in ImportCommand.bindingNames() })
    var provider: String

    @Option(help: "Only these kinds (repeatable), e.g. dns.record, net.vpc.")
    var kind: [String] = []

    @Option(help: "Only these zones (repeatable); default: every zone the provider has.")
    var zone: [String] = []

    @Option(help: "The folder to write documents into (as under Desired/).")
    var out: String

    @Flag(help: "Overwrite documents that already exist in --out.")
    var force = false

    /// Binding names for shell completion: Providers/*.yaml under the current directory.
    static func bindingNames() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "Providers")) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    func run() async throws {
        try await runReportingErrors {
            let context = try await state.workspace(source)
            let bindings: [String: ProviderBinding]
            do {
                bindings = try DesiredStateLoader(environment: context.environment).loadProviders(context.tree)
            } catch let error as DiagnosticsError {
                throw CLIError(message: DiagnosticPrinter(tree: context.tree).render(error.diagnostics))
            }
            guard let binding = bindings[provider] else {
                throw CLIError(message: "no provider binding '\(provider)' in Providers/ (have: \(bindings.keys.sorted().joined(separator: ", ")))")
            }
            var kinds = binding.type.servedKinds
            if !kind.isEmpty {
                kinds = []
                for name in kind {
                    guard let parsed = ResourceKind(rawValue: name) else { throw CLIError(message: "--kind \(name) is not a resource kind") }
                    kinds.insert(parsed)
                }
                if kinds.contains(.record) { kinds.insert(.zone) }
            }
            let instance = try ProviderFactories.registry.make(
                binding, environment: ProviderEnvironment(stateDirectory: context.stateDirectory, variables: context.environment))
            let stack = (try? DesiredStateLoader(environment: context.environment).load(context.tree).settings.stack) ?? "import"
            var zones = zone.map { $0.hasSuffix(".") ? $0.lowercased() : $0.lowercased() + "." }
            if zones.isEmpty, kinds.contains(.zone) {
                let listed = try await instance.describe(DescribeScope(stack: stack, kinds: [.zone]))
                zones = listed.resources.keys.map(\.name).sorted()
            }
            var inventory = try await instance.describe(DescribeScope(stack: stack, kinds: kinds, zones: zones, everything: true))
            inventory.resources = inventory.resources.filter { $0.key.kind != .zone || zones.contains($0.key.name) }
            let documents = try Importer(provider: provider).documents(inventory)
            // Nothing is written when anything would be overwritten: an import is all or none.
            let existing = documents.keys.sorted().filter {
                FileManager.default.fileExists(atPath: URL(fileURLWithPath: out).appendingPathComponent($0).path)
            }
            if !existing.isEmpty, !force {
                throw CLIError(
                    message:
                        "import would overwrite \(existing.map { (out as NSString).appendingPathComponent($0) }.joined(separator: ", ")); nothing was written; re-run with --force to replace \(existing.count == 1 ? "it" : "them"), or choose another --out"
                )
            }
            for (path, text) in documents.sorted(by: { $0.key < $1.key }) {
                let url = URL(fileURLWithPath: out).appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
                Console.err("wrote \(url.path)")
            }
            for record in inventory.unmodeled {
                Console.err("not managed: \(record.label) (Plumb leaves \(record.type) records alone)")
            }
            Console.err(
                "imported \(ApplyTextRenderer.count(inventory.resources.count, "resource")) into \(ApplyTextRenderer.count(documents.count, "document"))"
            )
        }
    }
}
