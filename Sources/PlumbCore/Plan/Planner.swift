import Crypto
import Foundation

/// Diffs the desired state against what providers report and produces a plan (SPEC §3
/// "Ownership", §4, §6).
public struct Planner: Sendable {
    public var desired: DesiredState
    public var prior: PriorState
    public var options: PlanOptions

    public init(desired: DesiredState, prior: PriorState = PriorState(), options: PlanOptions = PlanOptions()) {
        self.desired = desired
        self.prior = prior
        self.options = options
    }

    /// The scope to describe for one binding.
    public func scope(for provider: String) -> DescribeScope {
        let resources = desired.resources.values.filter { $0.provider == provider }
        var names: [ResourceKind: Set<String>] = [:]
        // Providers describe DNS by zone, cloud resources also by name: only those names.
        var prefixLists: Set<String> = []
        for resource in resources where resource.address.kind.isTaggedCloudKind {
            names[resource.address.kind, default: []].insert(resource.address.name)
            if case .securityGroup(let group) = resource.spec {
                prefixLists.formUnion(group.namedPrefixLists)
            }
        }
        let binding = desired.providers[provider]
        let kinds = binding?.type.servedKinds ?? Set(resources.map(\.address.kind))
        let priorZones = prior.managed.filter { $0.kind == .zone }.map(\.name)
        let zones = Set(desired.zones(of: provider)).union(priorZones).sorted()
        guard let focus = options.focus else {
            return DescribeScope(stack: desired.settings.stack, kinds: kinds, zones: zones, names: names, prefixLists: prefixLists)
        }
        // Incremental: only the kinds and zones of the focused addresses.
        var focusKinds = Set(focus.map(\.kind))
        if focusKinds.contains(.record) { focusKinds.insert(.zone) }
        // A zone leaving the documents takes its records with it, each a delete of its own
        // (SPEC §8.5): they are described, whole, though no document names them any more.
        let leaving = leavingZones
        if !leaving.isEmpty { focusKinds.insert(.record) }
        let focusZones = Set(focus.compactMap(\.zoneName))
        return DescribeScope(
            stack: desired.settings.stack, kinds: kinds.intersection(focusKinds),
            zones: zones.filter(focusZones.contains), names: names, prefixLists: prefixLists,
            records: leaving.isEmpty ? Self.focusedRecords(focus, desired: desired) : nil)
    }

    /// The focus's zones that no document declares any more.
    var leavingZones: Set<String> {
        Set((options.focus ?? []).filter { $0.kind == .zone && desired.resources[$0] == nil }.map(\.name))
    }

    /// The records a focused describe may read alone: the focus's, when every one of them
    /// is declared. A focused record that is not can only be a delete, and
    /// `max_delete_percent` weighs deletes against the zone's whole record count, which only
    /// a describe of the whole zone gives.
    static func focusedRecords(_ focus: Set<Address>, desired: DesiredState) -> Set<Address>? {
        let records = focus.filter { $0.kind == .record }
        return records.allSatisfy { desired.resources[$0] != nil } ? records : nil
    }

    /// Plans `inventories` (one per binding name) towards the desired state.
    public func plan(inventories: [String: Inventory], source: PlanSource) -> Plan {
        plan(inventories: inventories, source: source, observed: Self.fingerprint(inventories))
    }

    /// The same, with the inventories' fingerprint given by the caller (PlanPipeline hashes
    /// them on another core while this diffs, then sets it).
    public func plan(inventories: [String: Inventory], source: PlanSource, observed: String) -> Plan {
        var summary = Plan.Summary()
        var changes: [Change] = []
        var conflicts: [Plan.Conflict] = []
        for provider in desired.providers.keys.sorted() {
            let inventory = inventories[provider] ?? Inventory()
            diff(provider: provider, inventory: inventory, summary: &summary, changes: &changes, conflicts: &conflicts)
        }
        if let focus = options.focus {
            // A leaving zone's records are in no document, so in no focus: kept with it.
            let leaving = leavingZones
            func focused(_ address: Address) -> Bool {
                focus.contains(address) || (address.kind == .record && address.zoneName.map(leaving.contains) == true)
            }
            changes = changes.filter { focused($0.address) }
            conflicts = conflicts.filter { focused($0.address) }
        }
        if !options.targets.isEmpty || options.focus != nil {
            changes = changes.filter { change in options.targets.isEmpty || options.targets.contains { Glob.matches($0, change.address.description) }
            }
            summary = Plan.Summary()
            for change in changes { summary.count(change.action) }
            summary.unchanged = desired.resources.count - changes.filter { $0.action != .delete }.count
        }
        summary.conflict = conflicts.count
        let (ordered, leading) = Canary.ordered(ChangeOrder.sorted(changes), globs: desired.settings.canary)
        let chunks = Chunker(settings: desired.settings, providers: desired.providers, leading: leading)
            .chunks(desired.settings.onFailure == .revert ? ordered.map(Reversal.marked(providers: desired.providers)) : ordered)
        let policies = PolicyEngine(severities: desired.settings.policies).evaluate(PolicyContext(desired: desired, changes: ordered))
        let refusals =
            Safety(limits: desired.settings.safety, stack: desired.settings.stack)
            .refusals(changes: ordered, inventories: inventories, protected: protectedAddresses)
            + policies.filter(\.blocks).map(\.refusal)
        let unmanaged = inventories.values.flatMap(\.unmodeled).sorted()
        return Plan(
            stack: desired.settings.stack, source: source, summary: summary, chunks: chunks,
            conflicts: conflicts.sorted { ($0.address, $0.reason) < ($1.address, $1.reason) }, refusals: refusals,
            unmanaged: unmanaged, policies: policies, observed: observed,
            chunking: Plan.Chunking(settings: desired.settings, sizes: chunks.map(\.changes.count)))
    }

    var protectedAddresses: Set<Address> {
        prior.protected.union(desired.resources.values.filter(\.protect).map(\.address))
    }

    private func diff(
        provider: String, inventory: Inventory, summary: inout Plan.Summary,
        changes: inout [Change], conflicts: inout [Plan.Conflict]
    ) {
        let stack = desired.settings.stack
        // In no particular order: ChangeOrder sorts the changes and plan() the conflicts.
        // Outside a focus nothing is planned (plan() keeps the focus's changes only), and a
        // focused describe did not read it: 10,000 creates built to be dropped otherwise.
        let focus = options.focus
        for resource in desired.resources.values where resource.provider == provider && focus?.contains(resource.address) != false {
            guard let live = inventory.resources[resource.address] else {
                changes.append(Change(action: .create, address: resource.address, provider: provider, before: nil, after: resource.spec))
                summary.create += 1
                continue
            }
            var adopting = false
            if resource.address.kind.isTaggedCloudKind, live.owner != stack {
                // Only an untagged namesake may be adopted; another stack's resource never.
                guard live.owner == nil, options.adopt.contains(resource.address) else {
                    let reason =
                        live.owner.map { "exists and belongs to stack '\($0)'" }
                        ?? "exists without the plumb:stack tag; adopt it with --adopt \(resource.address)"
                    conflicts.append(Plan.Conflict(address: resource.address, reason: reason))
                    continue
                }
                adopting = true
            }
            let differences = resource.spec.differences(fromLive: live.spec)
            if differences.isEmpty && !adopting {
                summary.unchanged += 1
                continue
            }
            let immutable = differences.map(\.field).filter(resource.spec.immutableFields.contains)
            let action: Change.Action = immutable.isEmpty ? .update : .replace
            let fields = differences.map(\.field)
            let why: ChangeReason = !immutable.isEmpty ? .immutable(immutable) : adopting ? .adopt(fields) : .differs(fields)
            changes.append(
                Change(
                    action: action, address: resource.address, provider: provider, before: live.spec,
                    after: resource.spec, liveID: live.id, why: why))
            summary.count(action)
        }
        let ownedZones = Set(desired.zones(of: provider))
        // A zone's deletion takes its records with it on every provider: each is planned as
        // a delete of its own (listed, counted by the safety limits, ordered before the
        // zone's) instead of vanishing unannounced with it (SPEC §8.5).
        let deletedZones = Set(
            inventory.resources.values.filter {
                $0.address.kind == .zone && desired.resources[$0.address]?.provider != provider && isOwned($0, ownedZones: ownedZones, stack: stack)
            }.map(\.address.name))
        for live in inventory.resources.values where desired.resources[live.address]?.provider != provider {
            guard isOwned(live, ownedZones: ownedZones.union(deletedZones), stack: stack) else { continue }
            changes.append(
                Change(
                    action: .delete, address: live.address, provider: provider, before: live.spec, after: nil,
                    liveID: live.id, why: .notDesired))
            summary.delete += 1
        }
    }

    /// SPEC §3 "Ownership": records of a declared zone; zones and cloud resources that
    /// carry this stack's tag or that the last apply managed.
    private func isOwned(_ live: LiveResource, ownedZones: Set<String>, stack: String) -> Bool {
        switch live.address.kind {
        case .record:
            return live.address.zoneName.map(ownedZones.contains) ?? false
        case .zone:
            return live.owner == stack || prior.managed.contains(live.address)
        default:
            return live.owner == stack
        }
    }

    /// SHA-256 of the inventories' canonical JSON.
    public static func fingerprint(_ inventories: [String: Inventory]) -> String {
        // Fed field by field (each with its length, so no two inventories hash alike by
        // concatenation): encoding a 10,000-record inventory as JSON first cost a tenth of
        // a plan. Records, the bulk, are written straight from their strings' bytes; other
        // kinds as canonical JSON.
        var hasher = SHA256()
        func add(_ text: String, after prefix: String? = nil) {
            var text = text
            let count = (prefix.map { $0.utf8.count + 1 } ?? 0) + text.utf8.count
            withUnsafeBytes(of: UInt64(count).littleEndian) { hasher.update(bufferPointer: $0) }
            if var prefix {
                prefix.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
                withUnsafeBytes(of: UInt8(ascii: "/")) { hasher.update(bufferPointer: $0) }
            }
            text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        for provider in inventories.keys.sorted() {
            guard let inventory = inventories[provider] else { continue }
            add(provider)
            for address in inventory.resources.keys.sorted() {
                guard let resource = inventory.resources[address] else { continue }
                add(address.name, after: address.kind.rawValue)  // the address's description
                add(resource.id ?? "")
                add(resource.owner ?? "")
                if case .record(let record) = resource.spec {
                    add("\(record.ttl) \(record.values.count)")
                    for value in record.values { add(value) }
                } else {
                    add(resource.spec.attributes.canonicalText)
                }
            }
            for record in inventory.unmodeled.sorted() {
                add(record.label)
                add("\(record.ttl) \(record.values.count)")
                for value in record.values { add(value) }
            }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

extension Plan.Summary {
    mutating func count(_ action: Change.Action) {
        switch action {
        case .create: create += 1
        case .update: update += 1
        case .delete: delete += 1
        case .replace: replace += 1
        }
    }
}
