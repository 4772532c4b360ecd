/// A rule nobody explained. Off by default (SPEC §8.6): teams that want every opening in a
/// firewall to say why turn it on, and the finding names the rule so the fix is one line.
struct SGRuleUndocumented: PolicyRule {
    let id = "sg-rule-undocumented"
    let defaultSeverity = PolicySeverity.off
    let summary = "a rule without description:"

    func violations(in context: PolicyContext) -> [PolicyViolation] {
        context.securityGroups.flatMap { resource, spec in
            (spec.ingress.map { ("ingress", $0) } + (spec.egress ?? []).map { ("egress", $0) })
                .filter { $0.1.description == nil }
                .map { direction, rule in
                    PolicyViolation(
                        address: resource.address, reason: "\(direction) \(rule.label) has no description",
                        hint: "add description: \"WHY\" to the rule, or waive with waive: {\(id): \"REASON\"}")
                }
        }
    }
}
