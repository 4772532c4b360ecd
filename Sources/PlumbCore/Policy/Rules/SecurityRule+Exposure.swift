/// What the security-group rules need to know about a rule's reach.
extension SecurityRule {
    /// The whole IPv4 or IPv6 internet.
    static let worldPeers: Set<String> = ["0.0.0.0/0", "::/0"]

    var isFromWorld: Bool { from.map(Self.worldPeers.contains) ?? false }
    var isToWorld: Bool { to.map(Self.worldPeers.contains) ?? false }

    /// Every port of every protocol, or every port of tcp/udp (0-65535 or 1-65535).
    var coversEveryPort: Bool {
        if self.protocol == "all" { return true }
        guard self.protocol == "tcp" || self.protocol == "udp", let range = portRange else { return false }
        return range.lowerBound <= 1 && range.upperBound == 65535
    }

    /// Whether the rule lets `port` through (protocol `all` lets every port through).
    func admits(port: Int) -> Bool {
        if self.protocol == "all" { return true }
        guard self.protocol == "tcp" || self.protocol == "udp", let range = portRange else { return false }
        return range.contains(port)
    }

    /// `tcp 22 from 0.0.0.0/0`, as plans show a rule.
    var label: String {
        let ports = self.ports.map { " \($0)" } ?? ""
        if let from { return "\(self.protocol)\(ports) from \(from)" }
        return "\(self.protocol)\(ports) to \(to ?? "")"
    }
}

extension PolicyContext {
    /// Each desired security group with its spec.
    var securityGroups: [(DesiredResource, SecurityGroupSpec)] {
        resources(.securityGroup).compactMap { resource in
            guard case .securityGroup(let spec) = resource.spec else { return nil }
            return (resource, spec)
        }
    }
}
