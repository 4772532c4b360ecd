/// Renders a `NetworkGraph` as a Mermaid flowchart, which GitHub, GitLab and Gitea draw in
/// Markdown.
public struct MermaidGraphRenderer: Sendable {
    public init() {}

    public func render(_ graph: NetworkGraph) -> String {
        var out = ["flowchart LR"]
        for cluster in graph.clusters {
            out.append("  subgraph \(cluster.id)[\(Self.text(cluster.lines))]")
            for node in graph.nodes where node.cluster == cluster.id { out.append("    " + Self.node(node)) }
            out.append("  end")
        }
        let known = Set(graph.clusters.map(\.id))
        for node in graph.nodes where node.cluster.map({ !known.contains($0) }) ?? true { out.append("  " + Self.node(node)) }
        for edge in graph.edges {
            let arrow = edge.status == .deleted ? "-.->" : "-->"
            out.append("  \(edge.from) \(arrow)|\(Self.text([edge.label]))| \(edge.to)")
        }
        // Styles by status: classes for nodes and clusters, linkStyle by edge index.
        for status in [NetworkGraph.Status.created, .changed, .deleted] {
            let ids = graph.clusters.filter { $0.status == status }.map(\.id) + graph.nodes.filter { $0.status == status }.map(\.id)
            guard !ids.isEmpty || graph.edges.contains(where: { $0.status == status }) else { continue }
            out.append("  classDef \(status.rawValue) fill:\(GraphStyle.fill(status)),stroke:\(GraphStyle.color(status)),stroke-width:2px")
            if !ids.isEmpty { out.append("  class \(ids.joined(separator: ",")) \(status.rawValue)") }
            let edges = graph.edges.indices.filter { graph.edges[$0].status == status }.map(String.init)
            if !edges.isEmpty { out.append("  linkStyle \(edges.joined(separator: ",")) stroke:\(GraphStyle.color(status)),stroke-width:2px") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func node(_ node: NetworkGraph.Node) -> String {
        let label = text(node.lines)
        switch node.kind {
        case .subnet: return "\(node.id)[\(label)]"
        case .securityGroup: return "\(node.id)([\(label)])"
        case .cidr: return "\(node.id){{\(label)}}"
        case .role: return "\(node.id)[/\(label)/]"
        case .principal, .service: return "\(node.id)(\(label))"
        }
    }

    /// A quoted Mermaid label: lines joined with `<br/>`, and the characters that would end
    /// the label or start markup written as Mermaid's entity codes.
    static func text(_ lines: [String]) -> String {
        let escaped = lines.map { line in
            line.replacingOccurrences(of: "#", with: "#35;").replacingOccurrences(of: "\"", with: "#quot;")
                .replacingOccurrences(of: "<", with: "#lt;").replacingOccurrences(of: ">", with: "#gt;")
        }
        return "\"" + escaped.joined(separator: "<br/>") + "\""
    }
}
