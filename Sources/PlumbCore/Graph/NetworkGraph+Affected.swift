extension NetworkGraph {
    /// The part a plan touches, for review comments: every VPC holding a created, changed or
    /// deleted node or edge, whole (a change reads only beside its neighbours), and the
    /// nodes outside VPCs that a marked edge reaches. Nil when the plan touches no network
    /// or IAM resource.
    public func affected() -> NetworkGraph? {
        let marked = edges.filter { $0.status != nil }
        var keepNodes = Set(nodes.filter { $0.status != nil }.map(\.id))
        for edge in marked { keepNodes.formUnion([edge.from, edge.to]) }
        guard !keepNodes.isEmpty || clusters.contains(where: { $0.status != nil }) else { return nil }
        let clusterOf = Dictionary(nodes.compactMap { node in node.cluster.map { (node.id, $0) } }) { first, _ in first }
        let keepClusters = Set(keepNodes.compactMap { clusterOf[$0] }).union(clusters.filter { $0.status != nil }.map(\.id))
        let keptNodes = nodes.filter { node in keepNodes.contains(node.id) || node.cluster.map(keepClusters.contains) == true }
        let ids = Set(keptNodes.map(\.id))
        return NetworkGraph(
            clusters: clusters.filter { keepClusters.contains($0.id) }, nodes: keptNodes,
            edges: edges.filter {
                ids.contains($0.from) && ids.contains($0.to) && (marked.contains($0) || clusterOf[$0.to] != nil || clusterOf[$0.from] != nil)
            })
    }
}
