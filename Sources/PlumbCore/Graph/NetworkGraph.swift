/// The network and access of a desired state as a graph (SPEC §8.4 `plumb graph`): VPCs as
/// clusters of their subnets and security groups, one edge per rule from its source, roles
/// with their trust principals and the services their inline policies reach.
///
/// A value in a stable order (clusters, nodes and edges sorted by id), so two renderings of
/// the same state are the same bytes and diagrams diff well in review.
public struct NetworkGraph: Hashable, Sendable {
    /// What a plan does to a node or an edge; nil: no plan was given, or unchanged.
    public enum Status: String, Hashable, Sendable {
        case created, changed, deleted
    }

    public enum NodeKind: String, Hashable, Sendable {
        case subnet, securityGroup, cidr, role, principal, service
    }

    public struct Node: Hashable, Sendable {
        public var id: String
        public var kind: NodeKind
        /// Lines of the label: the name first, then details (CIDR, zone).
        public var lines: [String]
        /// The cluster (VPC) it sits in; nil outside every VPC.
        public var cluster: String?
        public var status: Status?
    }

    public struct Cluster: Hashable, Sendable {
        public var id: String
        public var lines: [String]
        public var status: Status?
    }

    public struct Edge: Hashable, Sendable {
        public var from: String
        public var to: String
        public var label: String
        public var status: Status?
    }

    public var clusters: [Cluster]
    public var nodes: [Node]
    public var edges: [Edge]

    public var isEmpty: Bool { nodes.isEmpty }

    /// A graph-language id for a name: letters and digits kept, anything else `_XX` in hex,
    /// so distinct names never share an id (`web-a` and `web_a` stay apart).
    static func id(_ prefix: String, _ name: String) -> String {
        var out = prefix + "_"
        for byte in name.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) {
                out.append(Character(UnicodeScalar(byte)))
            } else {
                out += "_" + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
