import Foundation

/// Safety rules on a plan (SPEC §3 "Protection", §4 `safety`). Each refusal gives the
/// numbers and the way out.
struct Safety {
    var limits: SafetyLimits
    var stack: String

    func refusals(changes: [Change], inventories: [String: Inventory], protected: Set<Address>) -> [Plan.Refusal] {
        var refusals: [Plan.Refusal] = []
        for change in changes where (change.action == .delete || change.action == .replace) && protected.contains(change.address) {
            let verb = change.action == .delete ? "delete" : "replace"
            refusals.append(
                Plan.Refusal(
                    rule: .protected,
                    message: "\(change.address) is protected and the plan would \(verb) it; first apply a commit that only sets protect: false on it")
            )
        }
        let total = changes.count
        if total > limits.maxChanges {
            refusals.append(
                Plan.Refusal(
                    rule: .maxChanges,
                    message: "\(total) changes exceed safety.max_changes (\(limits.maxChanges)); re-run with --force to accept"))
        }
        let deletes = changes.filter { $0.action == .delete }
        if deletes.count > limits.maxDeletes {
            refusals.append(
                Plan.Refusal(
                    rule: .maxDeletes,
                    message: "\(deletes.count) deletions exceed safety.max_deletes (\(limits.maxDeletes)); re-run with --force to accept"))
        }
        let groups = Dictionary(grouping: deletes) {
            GroupKey(provider: $0.provider, kind: $0.address.kind, zone: $0.address.kind == .record ? $0.address.zoneName : nil)
        }
        for (key, group) in groups.sorted(by: { $0.key.label < $1.key.label }) {
            let owned = ownedCount(key, inventories: inventories)
            guard owned >= limits.deletePercentFloor, owned > 0 else { continue }
            let percent = Double(group.count) * 100 / Double(owned)
            if percent > limits.maxDeletePercent {
                refusals.append(
                    Plan.Refusal(
                        rule: .maxDeletePercent,
                        message:
                            "\(key.label): \(group.count) of \(owned) deleted (\(Int(percent.rounded()))% > \(Self.format(limits.maxDeletePercent))%); re-run with --force to accept"
                    ))
            }
        }
        return refusals
    }

    private struct GroupKey: Hashable {
        var provider: String
        var kind: ResourceKind
        var zone: String?

        var label: String {
            if let zone { return "zone \(zone) (provider \(provider))" }
            return "\(kind.rawValue) of provider \(provider)"
        }
    }

    /// Owned resources of one kind: for records, the zone's records; else what carries the
    /// stack's tag (or, for zones, what exists in the inventory).
    private func ownedCount(_ key: GroupKey, inventories: [String: Inventory]) -> Int {
        let resources = inventories[key.provider]?.resources.values.filter { $0.address.kind == key.kind } ?? []
        switch key.kind {
        case .record: return resources.filter { $0.address.zoneName == key.zone }.count
        case .zone: return resources.count
        default: return resources.filter { $0.owner == stack }.count
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
