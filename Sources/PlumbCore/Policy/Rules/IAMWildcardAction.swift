/// An inline policy that allows every action, or every action of a service (`s3:*`):
/// least privilege (CIS AWS Foundations 1.16; AWS IAM best practices).
struct IAMWildcardAction: PolicyRule {
    let id = "iam-wildcard-action"
    let defaultSeverity = PolicySeverity.deny
    let summary = "Action: \"*\" or \"SERVICE:*\" with Effect: Allow"

    func violations(in context: PolicyContext) -> [PolicyViolation] {
        var found: [PolicyViolation] = []
        for (resource, spec) in context.roles {
            for (name, document) in spec.policies.sorted(by: { $0.key < $1.key }) {
                for statement in PolicyStatement.statements(of: document) where statement.allows {
                    for action in statement.actions where Self.isWildcard(action) {
                        found.append(
                            PolicyViolation(
                                address: resource.address, reason: "policy \(name) allows \"\(action)\"",
                                hint: "list the actions the role needs, or waive with waive: {\(id): \"REASON\"}"))
                    }
                }
            }
        }
        return found
    }

    /// `*`, or `service:*` (a prefix wildcard such as `s3:Get*` names a family and passes).
    static func isWildcard(_ action: String) -> Bool {
        action == "*" || (action.hasSuffix(":*") && !action.dropLast(2).contains("*"))
    }
}
