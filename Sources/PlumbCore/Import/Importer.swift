import Yams

/// Writes an inventory out as desired-state documents that, applied back, plan to no
/// changes (SPEC §5 `import`): one document per zone, one for the network and IAM.
public struct Importer: Sendable {
    public var provider: String

    public init(provider: String) {
        self.provider = provider
    }

    /// Relative path → YAML text.
    public func documents(_ inventory: Inventory) throws -> [String: String] {
        var files: [String: String] = [:]
        let resources = inventory.resources.values.sorted { $0.address < $1.address }
        for zone in resources.filter({ $0.address.kind == .zone }) {
            let records = resources.filter { $0.address.kind == .record && $0.address.zoneName == zone.address.name }
            let unmodeled = inventory.unmodeled.filter { $0.zone == zone.address.name }
            let name = zone.address.name.dropLast()
            files["dns/\(name).yaml"] = try zoneDocument(zone.address.name, records: records, unmodeled: unmodeled)
        }
        let cloud = resources.filter { $0.address.kind.isTaggedCloudKind }
        if !cloud.isEmpty {
            files["cloud/\(provider).yaml"] = try cloudDocument(cloud)
        }
        return files
    }

    private func zoneDocument(_ zone: String, records: [LiveResource], unmodeled: [UnmodeledRecord]) throws -> String {
        // The most common TTL becomes the zone default, so most records need no ttl:.
        let ttls = records.compactMap { if case .record(let r) = $0.spec { r.ttl } else { nil } }
        let defaultTTL = Dictionary(grouping: ttls, by: { $0 }).max { ($0.value.count, -$0.key) < ($1.value.count, -$1.key) }?.key ?? 3600
        var byName: [(String, [Node])] = []
        for record in records {
            guard let parts = record.address.recordParts, case .record(let spec) = record.spec else { continue }
            var pairs: [(Node, Node)] = [(Node("type"), Node(parts.type.rawValue))]
            if spec.ttl != defaultTTL { pairs.append((Node("ttl"), Node(String(spec.ttl), Tag(.int)))) }
            if spec.values.count == 1 {
                pairs.append((Node("value"), Self.string(spec.values[0])))
            } else {
                pairs.append((Node("values"), Node(spec.values.map(Self.string))))
            }
            let entry = Node(pairs)
            if let index = byName.firstIndex(where: { $0.0 == parts.name }) {
                byName[index].1.append(entry)
            } else {
                byName.append((parts.name, [entry]))
            }
        }
        let recordsNode = Node(
            byName.map { name, entries in
                (Self.string(name), entries.count == 1 ? entries[0] : Node(entries))
            })
        let pairs: [(Node, Node)] = [
            (Node("provider"), Node(provider)), (Node("zone"), Self.string(zone)),
            (Node("ttl"), Node(String(defaultTTL), Tag(.int))), (Node("records"), recordsNode),
        ]
        let root = Node(pairs)
        var text = try Yams.serialize(node: root, width: -1)
        if !unmodeled.isEmpty {
            text += "# Not managed by Plumb (types it leaves alone):\n"
            text += unmodeled.map { "#   \($0.name) \($0.type) \($0.values.joined(separator: " | "))\n" }.joined()
        }
        return text
    }

    private func cloudDocument(_ resources: [LiveResource]) throws -> String {
        var sections: [(Node, Node)] = [(Node("provider"), Node(provider))]
        let groups: [(String, ResourceKind)] = [("vpcs", .vpc), ("subnets", .subnet), ("security_groups", .securityGroup), ("roles", .role)]
        let subnets = Self.subnetNames(resources)
        let dualStack = Set(
            resources.compactMap { resource -> String? in
                if case .subnet(let subnet) = resource.spec, subnet.ipv6Index != nil { return resource.address.name }
                return nil
            })
        for (key, kind) in groups {
            let items = resources.filter { $0.address.kind == kind }
            guard !items.isEmpty else { continue }
            sections.append(
                (
                    Node(key),
                    Node(
                        items.map {
                            (Self.string($0.address.name), Self.node(Self.referencingSubnets($0.spec, subnets, dualStack: dualStack).attributes))
                        })
                ))
        }
        return try Yams.serialize(node: Node(sections), width: -1)
    }

    /// `VPC|CIDR` → the one subnet of that VPC with that CIDR.
    static func subnetNames(_ resources: [LiveResource]) -> [String: String] {
        var names: [String: String] = [:]
        for resource in resources {
            if case .subnet(let subnet) = resource.spec { names["\(subnet.vpc)|\(subnet.cidr)"] = resource.address.name }
        }
        return names
    }

    /// A group whose rules name a subnet's CIDR, written with `subnet/NAME` as its author
    /// would have: the loader resolves it back to the same rules, so the plan is unchanged. A
    /// dual-stack subnet's `subnet/NAME` stands for both blocks, so it is written only where
    /// the rule has both (the IPv6 half is then left out); a rule with one of them keeps its
    /// CIDR, or `subnet/NAME/ipv6`.
    static func referencingSubnets(_ spec: ResourceSpec, _ subnets: [String: String], dualStack: Set<String> = []) -> ResourceSpec {
        guard case .securityGroup(let group) = spec else { return spec }
        func named(_ rules: [SecurityRule]) -> [SecurityRule] {
            let identities = Set(rules.map { "\($0.identity)|\($0.description ?? "")" })
            return rules.compactMap { rule in
                if let name = rule.peerSubnetIPv6 {
                    // Its IPv4 sibling, written as subnet/NAME, stands for it.
                    let sibling = subnets.first { $0.value == name && $0.key.hasPrefix("\(group.vpc)|") }.map {
                        rule.with(peer: String($0.key.dropFirst(group.vpc.count + 1)))
                    }
                    return sibling.map { identities.contains("\($0.identity)|\($0.description ?? "")") } == true ? nil : rule
                }
                guard let name = subnets["\(group.vpc)|\(rule.peer)"] else { return rule }
                if dualStack.contains(name) {
                    let ipv6 = rule.with(peer: "subnet/\(name)\(SecurityRule.ipv6Suffix)")
                    guard identities.contains("\(ipv6.identity)|\(ipv6.description ?? "")") else { return rule }
                }
                return rule.with(peer: "subnet/\(name)")
            }
        }
        return .securityGroup(
            SecurityGroupSpec(
                vpc: group.vpc, description: group.description, ingress: named(group.ingress),
                egress: group.egress.map(named), tags: group.tags))
    }

    /// JSON attributes as YAML, dropping defaults; a session duration reads as `2h`.
    static func node(_ value: JSONValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool))
        case .int(let number): return Node(String(number), Tag(.int))
        case .double(let number): return Node(String(number), Tag(.float))
        case .string(let text): return string(text)
        case .array(let items): return Node(items.map(node))
        case .object(let object):
            let pairs = object.keys.sorted().compactMap { key -> (Node, Node)? in
                guard let value = object[key], ResourceSpec.defaultAttributes[key] != value else { return nil }
                if key == "max_session_duration", case .int(let seconds) = value {
                    return (Node(key), Node(Self.duration(seconds)))
                }
                return (Node(key), node(value))
            }
            return Node(pairs)
        }
    }

    /// `2h`, `90m` or `5400` seconds, whichever is exact.
    static func duration(_ seconds: Int) -> String {
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    /// A string scalar that reads back as the same string (quoted where YAML would
    /// otherwise see a number, a boolean or null).
    static func string(_ text: String) -> Node {
        Node(text, Tag(.str), .doubleQuoted)
    }
}
