/// A VPC. Its `Name` tag is its identity; `tags` are the user's tags besides `Name` and
/// `plumb:stack`, which Plumb manages itself.
public struct VPCSpec: Hashable, Sendable, Codable {
    public var cidr: String
    public var tags: [String: String]

    public init(cidr: String, tags: [String: String] = [:]) {
        self.cidr = cidr
        self.tags = tags
    }
}

public struct SubnetSpec: Hashable, Sendable, Codable {
    /// The VPC's name (not its provider id).
    public var vpc: String
    public var cidr: String
    /// The availability zone.
    public var zone: String
    public var tags: [String: String]

    public init(vpc: String, cidr: String, zone: String, tags: [String: String] = [:]) {
        self.vpc = vpc
        self.cidr = cidr
        self.zone = zone
        self.tags = tags
    }
}

/// One security group rule. Ingress rules carry `from`, egress rules `to`: a CIDR or
/// `security_group/NAME`. Subnet references are resolved to the subnet's CIDR at load time,
/// since that is what a provider reports back.
public struct SecurityRule: Hashable, Sendable, Codable, Comparable {
    /// `tcp`, `udp`, `icmp` or `all`.
    public var `protocol`: String
    /// `"443"` or `"8000-8010"`; nil for `all` and `icmp`.
    public var ports: String?
    public var from: String?
    public var to: String?

    public init(protocol: String, ports: String?, from: String? = nil, to: String? = nil) {
        self.protocol = `protocol`
        self.ports = ports
        self.from = from
        self.to = to
    }

    /// The peer, whichever direction the rule has.
    public var peer: String { from ?? to ?? "" }

    /// The referenced group's name when the peer is `security_group/NAME`.
    public var peerGroup: String? {
        peer.hasPrefix("security_group/") ? String(peer.dropFirst("security_group/".count)) : nil
    }

    /// The port range as numbers (`nil` for all ports).
    public var portRange: ClosedRange<Int>? {
        guard let ports else { return nil }
        let parts = ports.split(separator: "-").compactMap { Int($0) }
        if parts.count == 1 { return parts[0]...parts[0] }
        if parts.count == 2, parts[0] <= parts[1] { return parts[0]...parts[1] }
        return nil
    }

    var sortKey: String { "\(self.protocol)|\(ports ?? "")|\(peer)" }

    public static func < (lhs: SecurityRule, rhs: SecurityRule) -> Bool { lhs.sortKey < rhs.sortKey }
}

/// A security group. Rules compare as sets (kept sorted and unique).
/// `egress == nil` keeps the provider's default (all traffic out) and is not compared.
public struct SecurityGroupSpec: Hashable, Sendable, Codable {
    public var vpc: String
    public var description: String
    public var ingress: [SecurityRule]
    public var egress: [SecurityRule]?
    public var tags: [String: String]

    public init(
        vpc: String, description: String, ingress: [SecurityRule], egress: [SecurityRule]?,
        tags: [String: String] = [:]
    ) {
        self.vpc = vpc
        self.description = description
        self.ingress = Array(Set(ingress)).sorted()
        self.egress = egress.map { Array(Set($0)).sorted() }
        self.tags = tags
    }

    /// The names of other groups this group's rules reference.
    public var referencedGroups: Set<String> {
        Set((ingress + (egress ?? [])).compactMap(\.peerGroup))
    }
}
