import Foundation
import OrderedCollections
import PlumbCore

/// An in-memory provider for tests of the core: it applies changes to a dictionary, can be
/// told to fail a write or to misreport a read-back, and counts calls.
public actor FakeState {
    public var resources: [Address: LiveResource] = [:]
    public var unmodeled: [UnmodeledRecord] = []
    public var failWrites: Set<Address> = []
    /// Addresses whose read-back reports the old value (a provider that lies).
    public var staleReads: Set<Address> = []
    public private(set) var describeCalls = 0
    public private(set) var applyCalls: [[Address]] = []

    public init() {}

    public func seed(_ resource: LiveResource) { resources[resource.address] = resource }
    public func seedUnmodeled(_ record: UnmodeledRecord) { unmodeled.append(record) }
    public func failWrite(_ address: Address) { failWrites.insert(address) }
    public func readStale(_ address: Address) { staleReads.insert(address) }
    public func remove(_ address: Address) { resources[address] = nil }

    func describe(_ scope: DescribeScope) -> Inventory {
        describeCalls += 1
        let zones = Set(scope.zones)
        let found = resources.filter { key, _ in
            scope.kinds.contains(key.kind) && (key.kind != .record || zones.contains(key.zoneName ?? ""))
        }
        return Inventory(
            resources: OrderedDictionary(uniqueKeysWithValues: found.map { ($0.key, $0.value) }),
            unmodeled: unmodeled.filter { zones.contains($0.zone) })
    }

    func apply(_ changes: [Change], stack: String, provider: String) -> BatchResult {
        applyCalls.append(changes.map(\.address))
        var outcomes: [ChangeOutcome] = []
        for change in changes {
            if outcomes.contains(where: { !$0.isApplied }) {
                outcomes.append(ChangeOutcome(address: change.address, status: .notAttempted))
                continue
            }
            if failWrites.contains(change.address) {
                outcomes.append(
                    ChangeOutcome(
                        address: change.address,
                        status: .failed(ProviderError(.invalid, provider: provider, "injected failure", address: change.address))))
                continue
            }
            if staleReads.contains(change.address) {
                outcomes.append(ChangeOutcome(address: change.address, status: .applied(id: "fake")))
                continue
            }
            if let after = change.after {
                let owner = change.address.kind.isTaggedCloudKind || change.address.kind == .zone ? stack : nil
                resources[change.address] = LiveResource(address: change.address, spec: after, id: "id-\(change.address.name)", owner: owner)
            } else {
                resources[change.address] = nil
            }
            outcomes.append(ChangeOutcome(address: change.address, status: .applied(id: "id-\(change.address.name)")))
        }
        return BatchResult(outcomes: outcomes)
    }
}

public struct FakeProvider: Provider {
    public let binding: ProviderBinding
    public let state: FakeState

    public init(name: String = "main", type: ProviderType = .embedded, state: FakeState = FakeState()) {
        self.init(binding: ProviderBinding(name: name, type: type), state: state)
    }

    public init(binding: ProviderBinding, state: FakeState = FakeState()) {
        self.binding = binding
        self.state = state
    }

    public func describe(_ scope: DescribeScope) async throws -> Inventory {
        await state.describe(scope)
    }

    public func apply(_ changes: [Change], context: ApplyContext) async -> BatchResult {
        await state.apply(changes, stack: context.stack, provider: binding.name)
    }
}

/// Journals into memory.
public actor MemoryRecorder: RunRecorder {
    public private(set) var intents: [Address] = []
    public private(set) var results: [ChangeResult] = []
    public private(set) var timings: [String] = []

    public init() {}

    public func intend(_ changes: [Change], chunk: Int) async throws { intents += changes.map(\.address) }
    public func record(_ results: [ChangeResult], chunk: Int) async throws { self.results += results }
    public func timing(_ stage: String, detail: String?, seconds: Double) async { timings.append(stage) }
}

/// A check probe that passes or fails by check command name: `["pass"]` / `["fail"]`.
public struct ScriptedProbe: CheckProbe {
    public init() {}

    public func attempt(_ probe: Check.Probe, workingDirectory: String, remaining: Duration) async -> ProbeOutcome {
        if case .command(let argv) = probe, argv.first == "fail" {
            return ProbeOutcome(passed: false, detail: "scripted failure")
        }
        return ProbeOutcome(passed: true, detail: "scripted pass")
    }
}
