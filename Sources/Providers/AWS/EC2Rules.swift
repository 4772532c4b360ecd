import PlumbCore

/// Between Plumb's security rules and EC2's permissions. Peers that are groups are named
/// in Plumb (`security_group/web`) and identified in EC2 (`sg-…`).
enum EC2Rules {
    /// A live permission as a Plumb rule; a group Plumb cannot name keeps its id. A subnet's
    /// IPv6 block (`subnetIPv6Names`: CIDR → subnet name, of the group's VPC) reads as
    /// `subnet/NAME/ipv6`, the form the loader gives it.
    static func rule(
        _ permission: EC2Permission, ingress: Bool, groupNames: [String: String], subnetIPv6Names: [String: String] = [:],
        prefixListNames: [String: String] = [:]
    ) -> SecurityRule {
        let proto = permission.ipProtocol == "-1" ? "all" : permission.ipProtocol.lowercased()
        var ports: String?
        if proto == "tcp" || proto == "udp", let from = permission.fromPort, let to = permission.toPort {
            ports = from == to ? "\(from)" : "\(from)-\(to)"
        }
        let peer: String =
            switch permission.peer {
            case .cidr(let cidr): cidr
            case .cidrV6(let cidr): subnetIPv6Names[cidr].map { "subnet/\($0)\(SecurityRule.ipv6Suffix)" } ?? IPv6CIDR(cidr)?.description ?? cidr
            case .group(let id): "security_group/\(groupNames[id] ?? id)"
            case .prefixList(let id): "prefix_list/\(prefixListNames[id] ?? id)"
            }
        return ingress
            ? SecurityRule(protocol: proto, ports: ports, from: peer, description: permission.description)
            : SecurityRule(protocol: proto, ports: ports, to: peer, description: permission.description)
    }

    /// A Plumb rule as an EC2 permission. `groupIDs` maps group names to ids; a name it
    /// lacks is an error naming the group.
    static func permission(
        _ rule: SecurityRule, groupIDs: [String: String], subnetIPv6: [String: String] = [:], prefixListIDs: [String: String] = [:]
    ) throws -> EC2Permission {
        var permission = EC2Permission(ipProtocol: rule.protocol, fromPort: nil, toPort: nil, peer: .cidr(rule.peer), description: rule.description)
        switch rule.protocol {
        case "all":
            permission.ipProtocol = "-1"
        case "icmp":
            permission.fromPort = -1
            permission.toPort = -1
        default:
            let range = rule.portRange ?? 0...65535
            permission.fromPort = range.lowerBound
            permission.toPort = range.upperBound
        }
        if let group = rule.peerGroup {
            if let id = groupIDs[group] {
                permission.peer = .group(id: id)
            } else if group.hasPrefix("sg-") {
                permission.peer = .group(id: group)
            } else {
                throw AWSError(
                    code: "InvalidGroup.NotFound", message: "security group \(group) does not exist", status: 400,
                    operation: "resolve rule")
            }
        } else if let list = rule.peerPrefixList {
            guard let id = list.hasPrefix("pl-") ? list : prefixListIDs[list] else {
                throw AWSError(
                    code: "InvalidPrefixListID.NotFound", message: "prefix list \(list) does not exist", status: 400, operation: "resolve rule")
            }
            permission.peer = .prefixList(id: id)
        } else if let subnet = rule.peerSubnetIPv6 {
            guard let cidr = subnetIPv6[subnet] else {
                throw AWSError(
                    code: "InvalidSubnet.NotFound", message: "subnet \(subnet) has no IPv6 block (a rule names \(rule.peer))", status: 400,
                    operation: "resolve rule")
            }
            permission.peer = .cidrV6(cidr)
        } else if rule.peer.contains(":") {
            permission.peer = .cidrV6(rule.peer)
        }
        return permission
    }

    /// What it takes to go from `current` to `desired`: the rules to revoke and to authorize
    /// (only the ones that differ as rules), and the rules both have whose description alone
    /// differs, which change in place (SPEC §8.8).
    static func delta(from current: [SecurityRule], to desired: [SecurityRule]) -> RuleDelta {
        let have = Dictionary(current.map { ($0.identity, $0) }, uniquingKeysWith: { first, _ in first })
        let want = Dictionary(desired.map { ($0.identity, $0) }, uniquingKeysWith: { first, _ in first })
        return RuleDelta(
            revoke: have.filter { want[$0.key] == nil }.values.sorted(),
            authorize: want.filter { have[$0.key] == nil }.values.sorted(),
            redescribe: want.values.filter { rule in
                guard let live = have[rule.identity] else { return false }
                return live.description != rule.description
            }.sorted())
    }

    struct RuleDelta: Equatable {
        var revoke: [SecurityRule]
        var authorize: [SecurityRule]
        var redescribe: [SecurityRule]
    }

    /// What EC2 gives a new group: no ingress, all traffic out.
    static let defaultEgress = [SecurityRule(protocol: "all", ports: nil, to: "0.0.0.0/0")]

    /// In a VPC with an IPv6 block, EC2 adds all traffic out to `::/0` as well.
    static func defaultEgress(dualStack: Bool) -> [SecurityRule] {
        dualStack ? defaultEgress + [SecurityRule(protocol: "all", ports: nil, to: "::/0")] : defaultEgress
    }
}
