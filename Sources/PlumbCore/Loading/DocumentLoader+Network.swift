import Foundation

extension DocumentLoader {
    mutating func loadVPCs(_ node: YAMLNode, provider: String) {
        for (name, node, location) in namedEntries(node, "vpcs") {
            let allowed = ["cidr", "ipv6", "dns_hostnames", "dns_support", "tags", "protect", "waive"]
            guard let fields = reader.mapping(node, "vpc \(name)", allowed: allowed),
                let cidr = cidr(fields, in: node, what: "vpc \(name)")
            else { continue }
            let (protect, tags) = protectAndTags(fields, what: "vpc \(name)")
            let reader = self.reader
            let flag = { (key: String, otherwise: Bool) in
                fields.first { $0.key == key }.flatMap { reader.bool($0.value, "vpc \(name): \(key)") } ?? otherwise
            }
            let spec = VPCSpec(
                cidr: cidr, ipv6: flag("ipv6", false), dnsHostnames: flag("dns_hostnames", false),
                dnsSupport: flag("dns_support", true), tags: tags)
            declarations.resources.append(
                DesiredResource(
                    address: Address(kind: .vpc, name: name), provider: provider,
                    spec: .vpc(spec), protect: protect, location: location,
                    waivers: waivers(fields, what: "vpc \(name)")))
        }
    }

    mutating func loadSubnets(_ node: YAMLNode, provider: String) {
        for (name, node, location) in namedEntries(node, "subnets") {
            let allowed = [
                "vpc", "cidr", "zone", "ipv6_index", "map_public_ip_on_launch", "assign_ipv6_on_creation", "tags", "protect", "waive",
            ]
            guard let fields = reader.mapping(node, "subnet \(name)", allowed: allowed)
            else { continue }
            let reader = self.reader
            let field = { (key: String) in fields.first { $0.key == key }?.value }
            let ipv6Index = field("ipv6_index").flatMap { reader.int($0, "subnet \(name): ipv6_index", range: 0...255) }
            let flag = { (key: String) in field(key).flatMap { reader.bool($0, "subnet \(name): \(key)") } ?? false }
            let assignIPv6 = flag("assign_ipv6_on_creation")
            if assignIPv6, ipv6Index == nil, let node = field("assign_ipv6_on_creation") {
                reader.error(
                    .invalidValue, node, "subnet \(name): assign_ipv6_on_creation needs an IPv6 block",
                    hint: "add ipv6_index: N (the VPC's /64 number N)")
            }
            let vpcNode = required(fields, "vpc", in: node, what: "subnet \(name)")
            let zoneNode = required(fields, "zone", in: node, what: "subnet \(name)")
            guard let cidr = cidr(fields, in: node, what: "subnet \(name)"),
                let vpcNode, let vpc = reader.string(vpcNode, "vpc"),
                let zoneNode, let zone = reader.string(zoneNode, "zone")
            else { continue }
            let (protect, tags) = protectAndTags(fields, what: "subnet \(name)")
            let address = Address(kind: .subnet, name: name)
            declarations.references.append(
                Reference(
                    from: address, target: Address(kind: .vpc, name: vpc), provider: provider,
                    location: reader.location(vpcNode), what: "subnet \(name): vpc"))
            declarations.resources.append(
                DesiredResource(
                    address: address, provider: provider,
                    spec: .subnet(
                        SubnetSpec(
                            vpc: vpc, cidr: cidr, zone: zone, ipv6Index: ipv6Index, mapPublicIPOnLaunch: flag("map_public_ip_on_launch"),
                            assignIPv6OnCreation: assignIPv6, tags: tags)),
                    protect: protect, location: location, waivers: waivers(fields, what: "subnet \(name)")))
        }
    }

    mutating func loadSecurityGroups(_ node: YAMLNode, provider: String) {
        let allowed = ["vpc", "description", "ingress", "egress", "tags", "protect", "waive"]
        for (name, node, location) in namedEntries(node, "security_groups") {
            guard let fields = reader.mapping(node, "security group \(name)", allowed: allowed),
                let vpcNode = required(fields, "vpc", in: node, what: "security group \(name)"),
                let vpc = reader.string(vpcNode, "vpc")
            else { continue }
            let address = Address(kind: .securityGroup, name: name)
            declarations.references.append(
                Reference(
                    from: address, target: Address(kind: .vpc, name: vpc), provider: provider,
                    location: reader.location(vpcNode), what: "security group \(name): vpc"))
            var description = name
            var ingress: [SecurityRule] = []
            var egress: [SecurityRule]?
            for field in fields {
                switch field.key {
                case "description": description = reader.scalar(field.value, "description") ?? description
                case "ingress": ingress = rules(field.value, group: address, ingress: true, provider: provider)
                case "egress": egress = rules(field.value, group: address, ingress: false, provider: provider)
                default: break
                }
            }
            let (protect, tags) = protectAndTags(fields, what: "security group \(name)")
            declarations.resources.append(
                DesiredResource(
                    address: address, provider: provider,
                    spec: .securityGroup(SecurityGroupSpec(vpc: vpc, description: description, ingress: ingress, egress: egress, tags: tags)),
                    protect: protect, location: location, waivers: waivers(fields, what: "security group \(name)")))
        }
    }

    private mutating func rules(_ node: YAMLNode, group: Address, ingress: Bool, provider: String) -> [SecurityRule] {
        let direction = ingress ? "ingress" : "egress"
        let peerKey = ingress ? "from" : "to"
        guard case .sequence(let sequence, _) = node else {
            reader.error(.wrongType, node, "\(direction) must be a list of rules", hint: "write - {protocol: tcp, ports: 443, \(peerKey): 0.0.0.0/0}")
            return []
        }
        var result: [SecurityRule] = []
        for item in sequence {
            let what = "\(group.name) \(direction) rule"
            guard let fields = reader.mapping(item, what, allowed: ["protocol", "ports", peerKey, "description"]),
                let protocolNode = required(fields, "protocol", in: item, what: what),
                let protocolText = reader.string(protocolNode, "protocol"),
                let peerNode = required(fields, peerKey, in: item, what: what),
                let peer = reader.string(peerNode, peerKey)
            else { continue }
            let proto = protocolText.lowercased() == "-1" ? "all" : protocolText.lowercased()
            guard ["tcp", "udp", "icmp", "all"].contains(proto) else {
                reader.error(.invalidValue, protocolNode, "protocol '\(protocolText)' is not tcp, udp, icmp or all")
                continue
            }
            var ports: String?
            if let portsNode = fields.first(where: { $0.key == "ports" })?.value {
                guard proto == "tcp" || proto == "udp" else {
                    reader.error(.invalidValue, portsNode, "\(what): protocol \(proto) takes no ports", hint: "remove 'ports:'")
                    continue
                }
                guard let text = reader.scalar(portsNode, "ports"), let range = Self.portRange(text) else {
                    reader.error(.invalidValue, portsNode, "\(what): ports must be a port (443) or a range LOW-HIGH within 0-65535")
                    continue
                }
                ports = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)"
            } else if proto == "tcp" || proto == "udp" {
                reader.error(.missingKey, item, "\(what): protocol \(proto) needs 'ports:'", hint: "add ports: 443 or ports: 0-65535")
                continue
            }
            guard let normalizedPeer = rulePeer(peer, node: peerNode, group: group, provider: provider, what: what) else { continue }
            var description: String?
            if let descriptionNode = fields.first(where: { $0.key == "description" })?.value {
                guard let text = ruleDescription(descriptionNode, what: what) else { continue }
                description = text
            }
            let rule = SecurityRule(
                protocol: proto, ports: ports, from: ingress ? normalizedPeer : nil, to: ingress ? nil : normalizedPeer,
                description: description)
            // One rule, one description: EC2 holds a rule once, whatever its descriptions say.
            if result.contains(where: { $0.identity == rule.identity && $0.description != rule.description }) {
                reader.error(
                    .invalidValue, item, "\(what): \(proto) \(ports ?? "") \(peerKey) \(peer) is written twice with different descriptions",
                    hint: "keep one of them")
                continue
            }
            result.append(rule)
        }
        return result
    }

    /// EC2's limits on a rule's description: 255 characters from a small set.
    private func ruleDescription(_ node: YAMLNode, what: String) -> String? {
        guard let text = reader.scalar(node, "description") else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-:/()#,@[]+=&;{}!$*")
        if let bad = text.first(where: { !allowed.contains($0) }) {
            reader.error(
                .invalidValue, node, "\(what): description holds '\(bad)', which EC2 does not allow in a rule's description",
                hint: "use letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*")
            return nil
        }
        guard text.count <= 255 else {
            reader.error(.invalidValue, node, "\(what): description is \(text.count) characters; EC2 keeps at most 255")
            return nil
        }
        return text
    }

    /// A CIDR as written, or a `subnet/NAME` / `security_group/NAME` reference recorded for
    /// resolution once every document is read.
    private mutating func rulePeer(_ peer: String, node: YAMLNode, group: Address, provider: String, what: String) -> String? {
        for (prefix, kind) in [("subnet/", ResourceKind.subnet), ("security_group/", .securityGroup)] where peer.hasPrefix(prefix) {
            var name = String(peer.dropFirst(prefix.count))
            // `subnet/NAME/ipv6`: that subnet's IPv6 block alone.
            if kind == .subnet, name.hasSuffix(SecurityRule.ipv6Suffix) { name.removeLast(SecurityRule.ipv6Suffix.count) }
            declarations.references.append(
                Reference(
                    from: group, target: Address(kind: kind, name: name),
                    provider: provider, location: reader.location(node), what: what))
            return peer
        }
        // A managed prefix list, by name or id; a bare `pl-…` id reads as `prefix_list/pl-…`.
        if peer.hasPrefix("prefix_list/") || peer.hasPrefix("pl-") {
            let list = peer.hasPrefix("pl-") ? peer : String(peer.dropFirst("prefix_list/".count))
            let valid =
                (1...255).contains(list.count) && !list.contains(where: \.isWhitespace)
                && (!list.hasPrefix("pl-") || list.dropFirst(3).allSatisfy(\.isHexDigit))
            guard valid else {
                reader.error(
                    .invalidValue, node, "\(what): '\(peer.prefix(120))' is not a prefix list's name or pl- id",
                    hint: "write prefix_list/NAME or pl-0123abcd")
                return nil
            }
            return "prefix_list/\(list)"
        }
        if peer.contains(":") {
            guard let cidr = IPv6CIDR(peer) else {
                reader.error(.cidr, node, "\(what): \(IPv6CIDR.problem(peer))", hint: "use a CIDR such as ::/0 or 2001:db8::/32")
                return nil
            }
            return cidr.description
        }
        guard let cidr = IPv4CIDR(peer) else {
            reader.error(.cidr, node, "\(what): \(IPv4CIDR.problem(peer))", hint: "use a CIDR, subnet/NAME or security_group/NAME")
            return nil
        }
        return cidr.description
    }

    static func portRange(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(parts.count), let low = parts[0], let high = parts.last ?? nil,
            (0...65535).contains(low), (0...65535).contains(high), low <= high
        else { return nil }
        return low...high
    }

    private func cidr(_ fields: [YAMLEntry], in node: YAMLNode, what: String) -> String? {
        guard let cidrNode = required(fields, "cidr", in: node, what: what),
            let text = reader.string(cidrNode, "cidr")
        else { return nil }
        guard let cidr = IPv4CIDR(text) else {
            reader.error(.cidr, cidrNode, "\(what): \(IPv4CIDR.problem(text))", hint: "write an IPv4 network such as 10.0.0.0/16")
            return nil
        }
        guard (16...28).contains(cidr.prefix) else {
            reader.error(
                .cidr, cidrNode, "\(what): prefix /\(cidr.prefix) is outside /16–/28, which VPCs and subnets allow",
                hint: "use a prefix length from 16 to 28")
            return nil
        }
        return cidr.description
    }
}
