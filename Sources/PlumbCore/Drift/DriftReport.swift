/// A drift report (SPEC §6 `plumb.drift/v1`): how live infrastructure differs from the
/// desired state. Derived from a plan: what it would create is missing, update or replace
/// is modified, delete is unmanaged.
public struct DriftReport: Hashable, Sendable, Codable {
    public var format = "plumb.drift/v1"
    public var stack: String
    public var source: Source
    public var summary: Summary
    public var items: [Item]
    /// Records of types Plumb leaves alone, listed once.
    public var notManaged: [UnmodeledRecord]
    public var conflicts: [Plan.Conflict]

    public struct Source: Hashable, Sendable, Codable {
        public var commit: String?
        public var root: String?

        public init(commit: String?, root: String? = nil) {
            self.commit = commit
            self.root = root
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(commit, forKey: .commit)
            try container.encodeIfPresent(root, forKey: .root)
        }
    }

    public struct Summary: Hashable, Sendable, Codable {
        public var modified = 0
        public var missing = 0
        public var unmanaged = 0

        public var total: Int { modified + missing + unmanaged }
    }

    public struct Item: Hashable, Sendable, Codable {
        public enum State: String, Hashable, Sendable, Codable { case modified, missing, unmanaged }

        public var address: Address
        public var state: State
        public var diff: [FieldDifference]?
        public var live: JSONValue?
        public var desired: JSONValue?
    }

    enum CodingKeys: String, CodingKey {
        case format, stack, source, summary, items, conflicts
        case notManaged = "not_managed"
    }

    public init(plan: Plan) {
        stack = plan.stack
        source = Source(commit: plan.source.commit, root: plan.source.root)
        var summary = Summary()
        var items: [Item] = []
        for change in plan.changes.sorted(by: { $0.address < $1.address }) {
            switch change.action {
            case .create:
                summary.missing += 1
                items.append(Item(address: change.address, state: .missing, desired: change.after?.attributes))
            case .update, .replace:
                summary.modified += 1
                let diff = change.after.flatMap { after in change.before.map { after.differences(fromLive: $0) } } ?? []
                items.append(Item(address: change.address, state: .modified, diff: diff))
            case .delete:
                summary.unmanaged += 1
                items.append(Item(address: change.address, state: .unmanaged, live: change.before?.attributes))
            }
        }
        self.summary = summary
        self.items = items
        notManaged = plan.unmanaged
        conflicts = plan.conflicts
    }

    public var hasDrift: Bool { summary.total > 0 }
}
