/// Evaluates the built-in rules with the stack's severities (`policies:` in `plumb.yaml`)
/// and the resources' waivers (`waive:`). A value: same input, same findings, same order.
public struct PolicyEngine: Sendable {
    /// Every built-in rule, in the order the docs list them (SPEC §8.6).
    public static let rules: [any PolicyRule] = [
        SGWorldAdminPort(), SGWorldAllPorts(), SGWorldEgress(), SGRuleUndocumented(),
        IAMWildcardAction(), IAMAdmin(), IAMTrustAny(), DNSTTLRange(), PlanDeleteZone(),
    ]

    public static let ruleIDs: [String] = rules.map(\.id)

    public var severities: [String: PolicySeverity]

    public init(severities: [String: PolicySeverity] = [:]) {
        self.severities = severities
    }

    public func severity(of rule: any PolicyRule) -> PolicySeverity {
        severities[rule.id] ?? rule.defaultSeverity
    }

    /// Findings sorted by rule, then address, then reason.
    public func evaluate(_ context: PolicyContext) -> [PolicyFinding] {
        var findings: [PolicyFinding] = []
        for rule in Self.rules {
            let severity = severity(of: rule)
            guard severity != .off else { continue }
            for violation in Set(rule.violations(in: context)) {
                let resource = context.desired.resources[violation.address]
                findings.append(
                    PolicyFinding(
                        rule: rule.id, severity: severity, address: violation.address, reason: violation.reason,
                        hint: violation.hint, waiver: resource?.waivers[rule.id], location: resource?.location))
            }
        }
        return findings.sorted { ($0.rule, $0.address, $0.reason) < ($1.rule, $1.address, $1.reason) }
    }
}
