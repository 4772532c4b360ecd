/// Renders a `NetworkGraph` in Graphviz's DOT language (`dot -Tsvg` draws it).
public struct DOTGraphRenderer: Sendable {
    public init() {}

    public func render(_ graph: NetworkGraph) -> String {
        var out = [
            "digraph plumb {",
            "  rankdir=LR;",
            "  fontname=\"Helvetica\"; node [fontname=\"Helvetica\", fontsize=11]; edge [fontname=\"Helvetica\", fontsize=10];",
        ]
        for cluster in graph.clusters {
            out.append("  subgraph cluster_\(cluster.id) {")
            var attributes = ["label=\(Self.quoted(cluster.lines))", "style=rounded"]
            if let status = cluster.status { attributes += ["color=\"\(GraphStyle.color(status))\"", "penwidth=2"] }
            out.append("    graph [\(attributes.joined(separator: ", "))];")
            for node in graph.nodes where node.cluster == cluster.id { out.append("    " + Self.node(node)) }
            out.append("  }")
        }
        let known = Set(graph.clusters.map(\.id))
        for node in graph.nodes where node.cluster.map({ !known.contains($0) }) ?? true { out.append("  " + Self.node(node)) }
        for edge in graph.edges {
            var attributes = ["label=\(Self.quoted([edge.label]))"]
            if let status = edge.status {
                attributes += ["color=\"\(GraphStyle.color(status))\"", "fontcolor=\"\(GraphStyle.color(status))\"", "penwidth=2"]
                if status == .deleted { attributes.append("style=dashed") }
            }
            out.append("  \(edge.from) -> \(edge.to) [\(attributes.joined(separator: ", "))];")
        }
        out.append("}")
        return out.joined(separator: "\n") + "\n"
    }

    static func node(_ node: NetworkGraph.Node) -> String {
        let shape: String
        switch node.kind {
        case .subnet, .securityGroup: shape = "box"
        case .cidr: shape = "hexagon"
        case .role: shape = "parallelogram"
        case .principal, .service: shape = "ellipse"
        }
        var styles = node.kind == .securityGroup ? ["rounded"] : []
        var attributes = ["label=\(quoted(node.lines))", "shape=\(shape)"]
        if let status = node.status {
            styles.append("filled")
            attributes += ["fillcolor=\"\(GraphStyle.fill(status))\"", "color=\"\(GraphStyle.color(status))\"", "penwidth=2"]
        }
        if !styles.isEmpty { attributes.append("style=\"\(styles.joined(separator: ","))\"") }
        return "\(node.id) [\(attributes.joined(separator: ", "))];"
    }

    /// A DOT string: backslashes and quotes escaped, lines joined with DOT's centred break.
    static func quoted(_ lines: [String]) -> String {
        "\""
            + lines.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") }
            .joined(separator: "\\n") + "\""
    }
}
