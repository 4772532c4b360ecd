/// A VPC. Its `Name` tag is its identity; `tags` are the user's tags besides `Name` and
/// `plumb:stack`, which Plumb manages itself.
///
/// An attribute the document leaves out means AWS's default (SPEC §8.8): no IPv6 block, DNS
/// hostnames off, DNS resolution on.
public struct VPCSpec: Hashable, Sendable {
    public var cidr: String
    /// An Amazon-provided IPv6 /56 is associated.
    public var ipv6: Bool
    /// `enableDnsHostnames`.
    public var dnsHostnames: Bool
    /// `enableDnsSupport`.
    public var dnsSupport: Bool
    public var tags: [String: String]

    public init(cidr: String, ipv6: Bool = false, dnsHostnames: Bool = false, dnsSupport: Bool = true, tags: [String: String] = [:]) {
        self.cidr = cidr
        self.ipv6 = ipv6
        self.dnsHostnames = dnsHostnames
        self.dnsSupport = dnsSupport
        self.tags = tags
    }
}

extension VPCSpec: Codable {
    enum CodingKeys: String, CodingKey {
        case cidr, ipv6, tags
        case dnsHostnames = "dns_hostnames"
        case dnsSupport = "dns_support"
    }

    /// Plans and states recorded before these attributes existed decode with AWS's defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            cidr: try container.decode(String.self, forKey: .cidr),
            ipv6: try container.decodeIfPresent(Bool.self, forKey: .ipv6) ?? false,
            dnsHostnames: try container.decodeIfPresent(Bool.self, forKey: .dnsHostnames) ?? false,
            dnsSupport: try container.decodeIfPresent(Bool.self, forKey: .dnsSupport) ?? true,
            tags: try container.decodeIfPresent([String: String].self, forKey: .tags) ?? [:])
    }
}

public struct SubnetSpec: Hashable, Sendable {
    /// The VPC's name (not its provider id).
    public var vpc: String
    public var cidr: String
    /// The availability zone.
    public var zone: String
    /// Which /64 of the VPC's IPv6 block (0-255) the subnet gets; nil: none.
    public var ipv6Index: Int?
    public var mapPublicIPOnLaunch: Bool
    public var assignIPv6OnCreation: Bool
    public var tags: [String: String]

    public init(
        vpc: String, cidr: String, zone: String, ipv6Index: Int? = nil, mapPublicIPOnLaunch: Bool = false,
        assignIPv6OnCreation: Bool = false, tags: [String: String] = [:]
    ) {
        self.vpc = vpc
        self.cidr = cidr
        self.zone = zone
        self.ipv6Index = ipv6Index
        self.mapPublicIPOnLaunch = mapPublicIPOnLaunch
        self.assignIPv6OnCreation = assignIPv6OnCreation
        self.tags = tags
    }
}

extension SubnetSpec: Codable {
    enum CodingKeys: String, CodingKey {
        case vpc, cidr, zone, tags
        case ipv6Index = "ipv6_index"
        case mapPublicIPOnLaunch = "map_public_ip_on_launch"
        case assignIPv6OnCreation = "assign_ipv6_on_creation"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            vpc: try container.decode(String.self, forKey: .vpc),
            cidr: try container.decode(String.self, forKey: .cidr),
            zone: try container.decode(String.self, forKey: .zone),
            ipv6Index: try container.decodeIfPresent(Int.self, forKey: .ipv6Index),
            mapPublicIPOnLaunch: try container.decodeIfPresent(Bool.self, forKey: .mapPublicIPOnLaunch) ?? false,
            assignIPv6OnCreation: try container.decodeIfPresent(Bool.self, forKey: .assignIPv6OnCreation) ?? false,
            tags: try container.decodeIfPresent([String: String].self, forKey: .tags) ?? [:])
    }

    /// Every attribute, `ipv6_index: null` included: differences are computed over the
    /// desired side's keys, so an index the document drops must still be compared.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(vpc, forKey: .vpc)
        try container.encode(cidr, forKey: .cidr)
        try container.encode(zone, forKey: .zone)
        try container.encode(ipv6Index, forKey: .ipv6Index)
        try container.encode(mapPublicIPOnLaunch, forKey: .mapPublicIPOnLaunch)
        try container.encode(assignIPv6OnCreation, forKey: .assignIPv6OnCreation)
        try container.encode(tags, forKey: .tags)
    }
}

/// One security group rule. Ingress rules carry `from`, egress rules `to`: a CIDR or
/// `security_group/NAME`. Subnet references are resolved to the subnet's CIDR at load time,
/// since that is what a provider reports back.
///
/// The rule is what `identity` says (protocol, ports, peer); `description` is an attribute
/// of it: compared like every other value, but changed in place by providers, never by
/// removing and adding the rule (SPEC §8.8).
public struct SecurityRule: Hashable, Sendable, Codable, Comparable {
    /// `tcp`, `udp`, `icmp` or `all`.
    public var `protocol`: String
    /// `"443"` or `"8000-8010"`; nil for `all` and `icmp`.
    public var ports: String?
    public var from: String?
    public var to: String?
    /// Why the rule exists, for people (EC2 keeps up to 255 characters). Nil: none.
    public var description: String?

    public init(protocol: String, ports: String?, from: String? = nil, to: String? = nil, description: String? = nil) {
        self.protocol = `protocol`
        self.ports = ports
        self.from = from
        self.to = to
        self.description = description.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// What makes two rules the same rule, whatever their descriptions say.
    public var identity: String { "\(self.protocol)|\(ports ?? "")|\(peer)" }

    /// The same rule without its description.
    public var undescribed: SecurityRule {
        SecurityRule(protocol: self.protocol, ports: ports, from: from, to: to)
    }

    /// The peer, whichever direction the rule has.
    public var peer: String { from ?? to ?? "" }

    /// The subnet whose IPv6 block the peer is (`subnet/NAME/ipv6`). A `subnet/NAME` written
    /// in a document stands for both of a dual-stack subnet's blocks: its IPv4 CIDR, resolved
    /// at load time, and this form, which providers resolve, since the IPv6 block is the
    /// cloud's choice (SPEC §8.8).
    public var peerSubnetIPv6: String? {
        let peer = self.peer
        guard peer.hasPrefix("subnet/"), peer.hasSuffix(Self.ipv6Suffix) else { return nil }
        let name = peer.dropFirst("subnet/".count).dropLast(Self.ipv6Suffix.count)
        return name.isEmpty ? nil : String(name)
    }

    public static let ipv6Suffix = "/ipv6"

    /// The prefix list's name or `pl-…` id when the peer is `prefix_list/…`.
    public var peerPrefixList: String? {
        peer.hasPrefix("prefix_list/") ? String(peer.dropFirst("prefix_list/".count)) : nil
    }

    /// The same rule with another peer, in its direction.
    public func with(peer: String) -> SecurityRule {
        var rule = self
        if from != nil { rule.from = peer } else { rule.to = peer }
        return rule
    }

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

    public static func < (lhs: SecurityRule, rhs: SecurityRule) -> Bool {
        (lhs.identity, lhs.description ?? "") < (rhs.identity, rhs.description ?? "")
    }
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
        Set(rules.compactMap(\.peerGroup))
    }

    /// Every rule, ingress then egress.
    public var rules: [SecurityRule] { ingress + (egress ?? []) }

    /// The prefix lists the rules name by name (`prefix_list/NAME`, not a `pl-` id): what a
    /// provider has to look up.
    public var namedPrefixLists: Set<String> {
        Set(rules.compactMap(\.peerPrefixList).filter { !$0.hasPrefix("pl-") })
    }
}
