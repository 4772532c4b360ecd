/// Full administrator rights: `Action: "*"` on `Resource: "*"` (CIS AWS Foundations 1.16:
/// no policies that allow full "*:*" administrative privileges).
struct IAMAdmin: PolicyRule {
    let id = "iam-admin"
    let defaultSeverity = PolicySeverity.deny
    let summary = "Action: \"*\" on Resource: \"*\""

    func violations(in context: PolicyContext) -> [PolicyViolation] {
        var found: [PolicyViolation] = []
        for (resource, spec) in context.roles {
            for (name, document) in spec.policies.sorted(by: { $0.key < $1.key }) {
                let admin = PolicyStatement.statements(of: document).contains {
                    $0.allows && $0.actions.contains("*") && $0.resources.contains("*")
                }
                if admin {
                    found.append(
                        PolicyViolation(
                            address: resource.address, reason: "policy \(name) allows every action on every resource",
                            hint: "grant the actions and resources the role needs, or waive with waive: {\(id): \"REASON\"}"))
                }
            }
        }
        return found
    }
}
