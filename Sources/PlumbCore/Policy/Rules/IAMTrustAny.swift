/// A trust policy that lets anyone assume the role (`Principal: "*"` or `{AWS: "*"}`):
/// AWS IAM Access Analyzer's "publicly accessible role" finding.
struct IAMTrustAny: PolicyRule {
    let id = "iam-trust-any"
    let defaultSeverity = PolicySeverity.deny
    let summary = "a trust policy whose principal is *"

    func violations(in context: PolicyContext) -> [PolicyViolation] {
        context.roles.compactMap { resource, spec in
            let open = PolicyStatement.statements(of: spec.trust).contains { $0.allows && $0.principals.contains("*") }
            guard open else { return nil }
            return PolicyViolation(
                address: resource.address, reason: "the trust policy lets any principal assume the role",
                hint: "name the service or account that assumes it, or waive with waive: {\(id): \"REASON\"}")
        }
    }
}
