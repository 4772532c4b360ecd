/// Ingress from the whole internet to SSH (22) or RDP (3389), or a range holding them
/// (CIS AWS Foundations 5.2 / 5.3).
struct SGWorldAdminPort: PolicyRule {
    let id = "sg-world-admin-port"
    let defaultSeverity = PolicySeverity.deny
    let summary = "ingress from 0.0.0.0/0 or ::/0 to 22, 3389, or a range holding them"
    static let adminPorts = [22: "SSH", 3389: "RDP"]

    func violations(in context: PolicyContext) -> [PolicyViolation] {
        var found: [PolicyViolation] = []
        for (resource, spec) in context.securityGroups {
            for rule in spec.ingress where rule.isFromWorld {
                let ports = Self.adminPorts.keys.sorted().filter(rule.admits(port:))
                guard !ports.isEmpty else { continue }
                let names = ports.map { "\($0) (\(Self.adminPorts[$0] ?? ""))" }.joined(separator: " and ")
                found.append(
                    PolicyViolation(
                        address: resource.address,
                        reason: "ingress \(rule.label) opens \(names) to the internet",
                        hint: "narrow 'from' to a bastion's or an office's CIDR, or waive with waive: {\(id): \"REASON\"}"))
            }
        }
        return found
    }
}
