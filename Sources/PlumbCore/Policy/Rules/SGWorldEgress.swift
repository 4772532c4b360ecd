/// Explicit egress to the whole internet on every port. A group without `egress:` keeps the
/// provider's default (all out) and is not reported: the rule is about what the repository
/// says, and warning on every default group would drown the findings that matter.
struct SGWorldEgress: PolicyRule {
    let id = "sg-world-egress"
    let defaultSeverity = PolicySeverity.warn
    let summary = "egress to 0.0.0.0/0 or ::/0 on every port"

    func violations(in context: PolicyContext) -> [PolicyViolation] {
        context.securityGroups.flatMap { resource, spec in
            (spec.egress ?? []).filter { $0.isToWorld && $0.coversEveryPort }.map { rule in
                PolicyViolation(
                    address: resource.address, reason: "egress \(rule.label) lets every port out to the internet",
                    hint: "allow only the destinations the service needs, or waive with waive: {\(id): \"REASON\"}")
            }
        }
    }
}
