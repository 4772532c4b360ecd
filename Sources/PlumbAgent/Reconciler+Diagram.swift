import Foundation
import PlumbCore
import PlumbRunner

extension Reconciler {
    /// The stack's network and access at its last applied commit, as SVG (Graphviz), for the
    /// status page. Nil when nothing is applied yet or the state declares no network or IAM.
    /// Drawn once per commit: the page asks on every refresh.
    func diagramSVG() throws -> String? {
        guard let applied = status.lastAppliedCommit else { return nil }
        if let diagram, diagram.commit == applied { return diagram.svg }
        let graph = NetworkGraph(desired: try workspace(at: try repository.resolve(applied)).loadDesired())
        let svg = graph.isEmpty ? nil : try GraphvizRenderer.svg(fromDOT: DOTGraphRenderer().render(graph))
        diagram = (applied, svg)
        return svg
    }
}
