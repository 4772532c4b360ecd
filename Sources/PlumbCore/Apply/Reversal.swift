/// `on_failure: revert`: the change that puts back what an applied change did, and what a
/// plan says beforehand about the changes that cannot be put back exactly.
public enum Reversal {
    /// Written in the plan beside a change whose reverse would not restore it as it was.
    public static let newID = "recreated with a new id"

    /// The reverse of `change`, applied with the provider's `id` (of what a create or a
    /// replace made): a create is deleted, a delete created again from the value it removed,
    /// an update or a replace written back to the value it replaced.
    public static func reverse(of change: Change, id: String?) -> Change {
        let action: Change.Action =
            switch change.action {
            case .create: .delete
            case .delete: .create
            case .update: .update
            case .replace: .replace
            }
        return Change(
            action: action, address: change.address, provider: change.provider, before: change.after,
            after: change.before, liveID: change.action == .update ? change.liveID : id ?? change.liveID,
            why: .revert(change.action))
    }

    /// The note a plan shows for `change` (nil: its reverse restores it exactly). A cloud
    /// resource or a role that a delete or a replace removes comes back under a new id (and a
    /// Route 53 zone with new name servers); a DNS record or a PowerDNS zone is recreated
    /// from its values exactly.
    public static func note(for change: Change, type: ProviderType?) -> String? {
        guard change.action == .delete || change.action == .replace else { return nil }
        if change.address.kind.isTaggedCloudKind { return newID }
        if change.address.kind == .zone, type != .powerdns { return newID }
        return nil
    }

    /// Marks the changes of a plan whose reverse is not exact.
    public static func marked(providers: [String: ProviderBinding]) -> @Sendable (Change) -> Change {
        { change in
            var change = change
            change.revert = note(for: change, type: providers[change.provider]?.type)
            return change
        }
    }
}

extension Reversal {
    /// What finishing an interrupted revert writes: for each change the run set out to make,
    /// newest first, the change that brings the live resource back to the value it replaced,
    /// or nothing when it is back already (or was never written). Computed against what is
    /// live now, so a revert interrupted any number of times converges without duplicates.
    public static func putBack(_ changes: [Change], live: [String: Inventory]) -> [Change] {
        changes.reversed().compactMap { change in
            let current = live[change.provider]?.resources[change.address]
            let why = ChangeReason.revert(change.action)
            switch (change.before, current) {
            case (nil, nil):
                return nil
            case (nil, let current?):
                return Change(
                    action: .delete, address: change.address, provider: change.provider, before: current.spec, after: nil,
                    liveID: current.id, why: why)
            case (let before?, nil):
                return Change(action: .create, address: change.address, provider: change.provider, before: nil, after: before, why: why)
            case (let before?, let current?):
                let differences = before.differences(fromLive: current.spec)
                guard !differences.isEmpty else { return nil }
                let immutable = differences.contains { before.immutableFields.contains($0.field) }
                return Change(
                    action: immutable ? .replace : .update, address: change.address, provider: change.provider,
                    before: current.spec, after: before, liveID: current.id, why: why)
            }
        }
    }
}
