/// `chunking.canary`: the changes whose addresses match one of the globs go first, so the
/// first chunk (the canary) is the change the operator chose to try first.
///
/// Only as far forward as the apply order allows: a matching change never moves ahead of a
/// change of the same binding it may depend on (a lower kind: the zone of a record, the VPC
/// of a subnet) or of the delete that clears its name. Deletions stay where they are: they
/// run after everything else on purpose.
public enum Canary {
    /// The reordered changes, and how many matching changes now lead them (0 when their
    /// dependencies keep them from the front).
    public static func ordered(_ changes: [Change], globs: [String]) -> (changes: [Change], leading: Int) {
        guard !globs.isEmpty else { return (changes, 0) }
        let matching = changes.indices.filter { index in
            changes[index].action != .delete && globs.contains { Glob.matches($0, changes[index].address.description) }
        }
        guard !matching.isEmpty else { return (changes, 0) }
        let chosen = Set(matching)
        // The earliest place every matching change may stand: after the last change it may
        // depend on.
        var position = 0
        for index in matching {
            let change = changes[index]
            for earlier in 0..<index where !chosen.contains(earlier) && mayPrecede(changes[earlier], change) {
                position = max(position, earlier + 1)
            }
        }
        let rest = changes.indices.filter { !chosen.contains($0) }
        let before = rest.filter { $0 < position }
        let after = rest.filter { $0 >= position }
        let reordered = (before + matching + after).map { changes[$0] }
        return (reordered, position == 0 ? matching.count : 0)
    }

    /// Whether `earlier` must stay ahead of `change`.
    static func mayPrecede(_ earlier: Change, _ change: Change) -> Bool {
        if earlier.action == .delete {
            return earlier.address.ownerName != nil && earlier.address.ownerName == change.address.ownerName
        }
        guard earlier.provider == change.provider else { return false }
        // Groups are ordered among themselves by the groups their rules reference.
        if earlier.address.kind == .securityGroup, change.address.kind == .securityGroup { return true }
        return earlier.address.kind.rank < change.address.kind.rank
    }
}
