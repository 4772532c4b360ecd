/// A plan that deletes a whole zone. A plan rule: the zone's document is gone, so there is
/// nothing to waive on; it is lifted by setting the rule to warn or off in `plumb.yaml` in
/// the same commit, which a review plan shows as a change of policy.
struct PlanDeleteZone: PolicyRule {
    let id = "plan-delete-zone"
    let defaultSeverity = PolicySeverity.deny
    let summary = "a plan that deletes a whole zone"

    func violations(in context: PolicyContext) -> [PolicyViolation] {
        (context.changes ?? []).filter { $0.action == .delete && $0.address.kind == .zone }.map { change in
            PolicyViolation(
                address: change.address, reason: "the plan deletes zone \(change.address.name) and every record in it",
                hint: "if that is meant, set 'policies: {\(id): warn}' in plumb.yaml in the same commit")
        }
    }
}
