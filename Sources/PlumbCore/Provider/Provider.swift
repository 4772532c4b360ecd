import OrderedCollections

/// What every provider implements: the exist / describe / change cycle.
///
/// Contract:
/// - `describe` never changes anything, and lists a whole scope in as few calls as the
///   provider allows (one listing per zone or per kind, never one call per resource).
///   It reports SOA and apex NS records not at all: they belong to the provider.
/// - `apply` receives one batch of changes, all for this binding, in dependency order, and
///   returns an outcome for every change, also when it stops early. Creates and deletes are
///   idempotent: creating what already exists with the same identity and owner succeeds and
///   returns its id; deleting what is gone succeeds. That is what lets a run that was killed
///   mid-batch converge without duplicates.
/// - `readBack` describes exactly the given addresses after a change, so the apply loop can
///   confirm that the provider now reports what was written.
public protocol Provider: Sendable {
    var binding: ProviderBinding { get }
    var servedKinds: Set<ResourceKind> { get }

    func describe(_ scope: DescribeScope) async throws -> Inventory
    func apply(_ changes: [Change], context: ApplyContext) async -> BatchResult
    func readBack(_ addresses: [Address], scope: DescribeScope) async throws -> Inventory
}

extension Provider {
    public var servedKinds: Set<ResourceKind> { binding.type.servedKinds }

    /// By default a read-back is a describe narrowed to the addresses' kinds and zones.
    public func readBack(_ addresses: [Address], scope: DescribeScope) async throws -> Inventory {
        var narrowed = scope
        narrowed.kinds = Set(addresses.map(\.kind))
        narrowed.zones = Set(addresses.compactMap(\.zoneName)).sorted()
        let inventory = try await describe(narrowed)
        let wanted = Set(addresses)
        return Inventory(resources: inventory.resources.filter { wanted.contains($0.key) })
    }
}

/// What to describe: the kinds a plan needs, the zones whose records it needs, and the
/// names the desired state uses (so cloud providers can filter server-side).
public struct DescribeScope: Hashable, Sendable, Codable {
    public var stack: String
    public var kinds: Set<ResourceKind>
    public var zones: [String]
    public var names: [ResourceKind: Set<String>]
    /// Everything the provider can see, not only the stack's own and the named: for
    /// `import`, which brings existing resources under Plumb.
    public var everything: Bool
    /// Prefix lists the desired rules name by name (`prefix_list/NAME`): a provider reads
    /// those back by name, and every other one by its id, as a document may write either.
    public var prefixLists: Set<String>
    /// A focused describe (the agent's reconcile of a push): of the zones' records, only
    /// these are wanted, so a provider may read them alone rather than each zone whole.
    /// Nil: every record of `zones`. A provider that reads more is still right: the plan
    /// only looks at these.
    public var records: Set<Address>?

    public init(
        stack: String, kinds: Set<ResourceKind>, zones: [String] = [], names: [ResourceKind: Set<String>] = [:],
        everything: Bool = false, prefixLists: Set<String> = [], records: Set<Address>? = nil
    ) {
        self.stack = stack
        self.kinds = kinds
        self.zones = zones
        self.names = names
        self.everything = everything
        self.prefixLists = prefixLists
        self.records = records
    }
}

/// Passed to every write: the stack whose `plumb:stack` tag new resources get.
public struct ApplyContext: Sendable {
    public var stack: String

    public init(stack: String) {
        self.stack = stack
    }
}

/// What a provider reports: every resource found in the scope, by address, and the DNS
/// records of types Plumb leaves alone.
public struct Inventory: Sendable, Codable, Equatable {
    /// In the order the provider listed them; compared as a map (`==` below) and encoded
    /// sorted. Ordered rather than hashed for memory, as `DesiredState.resources` (decision 34).
    public var resources: OrderedDictionary<Address, LiveResource>
    public var unmodeled: [UnmodeledRecord]

    public init(resources: OrderedDictionary<Address, LiveResource> = [:], unmodeled: [UnmodeledRecord] = []) {
        self.resources = resources
        self.unmodeled = unmodeled
    }

    /// Equal when they hold the same resources, in whatever order they were listed.
    public static func == (lhs: Inventory, rhs: Inventory) -> Bool {
        lhs.unmodeled == rhs.unmodeled && lhs.resources.count == rhs.resources.count
            && lhs.resources.allSatisfy { rhs.resources[$0.key] == $0.value }
    }

    public mutating func merge(_ other: Inventory) {
        // Into an empty inventory (one zone's, the common case) without rehashing it.
        if resources.isEmpty {
            resources = other.resources
        } else {
            resources.merge(other.resources) { _, new in new }
        }
        unmodeled += other.unmodeled
    }

    public static func + (lhs: Inventory, rhs: Inventory) -> Inventory {
        var result = lhs
        result.merge(rhs)
        return result
    }
}

/// The outcome of one batch: one entry per change, in the batch's order.
public struct BatchResult: Sendable {
    public var outcomes: [ChangeOutcome]

    public init(outcomes: [ChangeOutcome]) {
        self.outcomes = outcomes
    }

    public var failures: [ChangeOutcome] { outcomes.filter(\.status.isFailed) }
}

public struct ChangeOutcome: Sendable {
    public enum Status: Sendable {
        /// Written; the provider's id where it assigns one.
        case applied(id: String?)
        case failed(ProviderError)
        /// Not attempted, because an earlier change of the batch failed.
        case notAttempted
    }

    public var address: Address
    public var status: Status

    public init(address: Address, status: Status) {
        self.address = address
        self.status = status
    }

    public var isApplied: Bool { if case .applied = status { true } else { false } }
}

extension ChangeOutcome.Status {
    public var isFailed: Bool { if case .failed = self { true } else { false } }
}

extension Inventory {
    enum CodingKeys: String, CodingKey { case resources, unmodeled }

    /// Resources encode as a list sorted by address, so equal inventories have equal bytes.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(resources.values.sorted { $0.address < $1.address }, forKey: .resources)
        try container.encode(unmodeled.sorted(), forKey: .unmodeled)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let list = try container.decode([LiveResource].self, forKey: .resources)
        resources = OrderedDictionary(list.map { ($0.address, $0) }, uniquingKeysWith: { _, new in new })
        unmodeled = try container.decode([UnmodeledRecord].self, forKey: .unmodeled)
    }
}
