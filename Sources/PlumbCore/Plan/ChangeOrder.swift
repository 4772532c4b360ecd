/// The apply order of a plan's changes.
///
/// Creates, updates and replaces run in kind order (a VPC before its subnets, a security
/// group after the groups its rules reference); deletions run after them in reverse (rules
/// that reference a group go before the group, subnets before their VPC). One exception:
/// a record deletion at a name where the plan also writes a record comes first, since a
/// CNAME and other data may not stand together even for a moment.
enum ChangeOrder {
    static func sorted(_ changes: [Change]) -> [Change] {
        let writtenNames = Set(changes.filter { $0.action != .delete }.compactMap(\.address.ownerName))
        let earlyDeletes = changes.filter { $0.action == .delete && $0.address.ownerName.map(writtenNames.contains) == true }
        let early = Set(earlyDeletes.map(\.address))
        let forward = changes.filter { $0.action != .delete }
        let deletes = changes.filter { $0.action == .delete && !early.contains($0.address) }
        let groupRank = topologicalRank(changes)

        // The binding breaks ties: one address from two bindings, in no order the planner
        // promises (it diffs in dictionary order).
        func forwardKey(_ change: Change) -> (Int, Int, Int, Address, String) {
            (change.address.kind.rank, 1, groupRank[change.address] ?? 0, change.address, change.provider)
        }
        var ordered =
            (forward.map { (forwardKey($0), $0) }
            + earlyDeletes.map {
                ((($0.address.kind.rank, 0, 0, $0.address, $0.provider)), $0)
            }).sorted { $0.0 < $1.0 }.map(\.1)
        ordered += deletes.sorted { lhs, rhs in
            if lhs.address.kind != rhs.address.kind { return lhs.address.kind > rhs.address.kind }
            let l = groupRank[lhs.address] ?? 0
            let r = groupRank[rhs.address] ?? 0
            if l != r { return l > r }
            return (lhs.address, lhs.provider) < (rhs.address, rhs.provider)
        }
        return ordered
    }

    /// Security groups ranked so a group comes after the groups it references; cycles are
    /// broken by name (providers create groups before their rules within a batch).
    static func topologicalRank(_ changes: [Change]) -> [Address: Int] {
        var references: [String: Set<String>] = [:]
        for change in changes where change.address.kind == .securityGroup {
            let spec = change.after ?? change.before
            if case .securityGroup(let group)? = spec {
                references[change.address.name] = group.referencedGroups.subtracting([change.address.name])
            }
        }
        var rank: [Address: Int] = [:]
        var remaining = Set(references.keys)
        var level = 0
        while !remaining.isEmpty {
            var ready = remaining.filter { references[$0, default: []].isDisjoint(with: remaining) }
            if ready.isEmpty, let first = remaining.min() { ready = [first] }
            for name in ready { rank[Address(kind: .securityGroup, name: name)] = level }
            remaining.subtract(ready)
            level += 1
        }
        return rank
    }
}
