/// Ingress from the whole internet on every port (CIS AWS Foundations 5.x: no group open
/// to the world beyond the ports a service needs).
struct SGWorldAllPorts: PolicyRule {
    let id = "sg-world-all-ports"
    let defaultSeverity = PolicySeverity.deny
    let summary = "ingress from 0.0.0.0/0 or ::/0 with protocol: all or every port"

    func violations(in context: PolicyContext) -> [PolicyViolation] {
        context.securityGroups.flatMap { resource, spec in
            spec.ingress.filter { $0.isFromWorld && $0.coversEveryPort }.map { rule in
                PolicyViolation(
                    address: resource.address, reason: "ingress \(rule.label) opens every port to the internet",
                    hint: "allow only the ports the service serves, or waive with waive: {\(id): \"REASON\"}")
            }
        }
    }
}
