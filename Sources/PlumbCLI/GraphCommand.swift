import ArgumentParser
import PlumbCore
import PlumbRunner

struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw the network and access of the desired state: VPCs, subnets, security groups and their rules, roles.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case mermaid, dot, svg
    }

    @OptionGroup var source: SourceOptions
    @OptionGroup var state: StateOptions

    @Option(help: "mermaid, dot or svg (drawn by Graphviz's dot).")
    var format: Format = .mermaid

    @Flag(help: "Colour what the plan against the live inventory creates, changes and deletes.")
    var plan = false

    @Option(help: "Write the graph to this file instead of stdout.")
    var out: String?

    func run() async throws {
        try await runReportingErrors {
            let context = try await state.workspace(source)
            let graph: NetworkGraph
            if plan {
                let (desired, planned) = try await context.planDesired()
                graph = NetworkGraph(desired: desired, plan: planned)
            } else {
                graph = NetworkGraph(desired: try context.loadDesired())
            }
            if graph.isEmpty { Console.err("note: the desired state declares no VPCs, subnets, security groups or roles") }
            let text: String
            switch format {
            case .mermaid: text = MermaidGraphRenderer().render(graph)
            case .dot: text = DOTGraphRenderer().render(graph)
            case .svg:
                do {
                    text = try GraphvizRenderer.svg(fromDOT: DOTGraphRenderer().render(graph))
                } catch {
                    throw CLIError(message: "\(error)")
                }
            }
            try Console.emit(text, to: out)
        }
    }
}
