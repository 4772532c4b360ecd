import Foundation
import OrderedCollections
import PlumbCore

/// Builders for desired and live resources, so core tests can state a scenario in a few
/// lines without going through YAML.
public enum CoreFixtures {
    public static let stack = "test"

    public static func state(
        _ resources: [DesiredResource], providers: [String: ProviderType] = ["main": .embedded],
        stack: String = CoreFixtures.stack, checks: [Check] = [],
        configure: (inout StackSettings) -> Void = { _ in }
    ) -> DesiredState {
        var settings = StackSettings(stack: stack)
        configure(&settings)
        let bindings = Dictionary(uniqueKeysWithValues: providers.map { ($0.key, ProviderBinding(name: $0.key, type: $0.value)) })
        return DesiredState(
            settings: settings, providers: bindings,
            resources: OrderedDictionary(uniqueKeysWithValues: resources.map { ($0.address, $0) }), checks: checks)
    }

    public static func vpc(
        _ name: String, _ cidr: String = "10.0.0.0/16", tags: [String: String] = [:],
        provider: String = "main", protect: Bool = false
    ) -> DesiredResource {
        DesiredResource(
            address: Address(kind: .vpc, name: name), provider: provider,
            spec: .vpc(VPCSpec(cidr: cidr, tags: tags)), protect: protect)
    }

    public static func subnet(
        _ name: String, _ cidr: String, vpc: String = "main", zone: String = "us-east-1a",
        provider: String = "main", protect: Bool = false
    ) -> DesiredResource {
        DesiredResource(
            address: Address(kind: .subnet, name: name), provider: provider,
            spec: .subnet(SubnetSpec(vpc: vpc, cidr: cidr, zone: zone)), protect: protect)
    }

    public static func group(
        _ name: String, vpc: String = "main", description: String? = nil,
        ingress: [SecurityRule] = [], egress: [SecurityRule]? = nil,
        provider: String = "main", protect: Bool = false
    ) -> DesiredResource {
        DesiredResource(
            address: Address(kind: .securityGroup, name: name), provider: provider,
            spec: .securityGroup(
                SecurityGroupSpec(
                    vpc: vpc, description: description ?? name, ingress: ingress, egress: egress)),
            protect: protect)
    }

    public static func role(
        _ name: String, trust: JSONValue, policies: [String: JSONValue] = [:],
        provider: String = "main"
    ) -> DesiredResource {
        DesiredResource(
            address: Address(kind: .role, name: name), provider: provider,
            spec: .role(RoleSpec(trust: trust, policies: policies)))
    }

    public static func zone(_ name: String, provider: String = "main", protect: Bool = false) -> DesiredResource {
        DesiredResource(address: .zone(name), provider: provider, spec: .zone(ZoneSpec()), protect: protect)
    }

    public static func record(
        _ zone: String, _ name: String, _ type: RecordType, _ values: [String], ttl: Int = 3600,
        provider: String = "main", protect: Bool = false
    ) -> DesiredResource {
        DesiredResource(
            address: .record(zone: zone, name: name, type: type), provider: provider,
            spec: .record(RecordSpec(ttl: ttl, values: values)), protect: protect)
    }

    /// The live twin of a desired resource. Cloud kinds carry `owner` as their
    /// `plumb:stack` tag (this stack by default; nil: untagged); DNS kinds carry none.
    public static func live(_ resource: DesiredResource, owner: String? = CoreFixtures.stack, id: String? = nil) -> LiveResource {
        LiveResource(
            address: resource.address, spec: resource.spec, id: id ?? "id-\(resource.address.name)",
            owner: resource.address.kind.isTaggedCloudKind ? owner : nil)
    }

    /// A live resource with a different spec than its desired twin.
    public static func live(_ address: Address, _ spec: ResourceSpec, owner: String? = nil, id: String? = nil) -> LiveResource {
        LiveResource(address: address, spec: spec, id: id ?? "id-\(address.name)", owner: owner)
    }

    public static func inventory(_ resources: [LiveResource], unmodeled: [UnmodeledRecord] = []) -> Inventory {
        Inventory(resources: OrderedDictionary(uniqueKeysWithValues: resources.map { ($0.address, $0) }), unmodeled: unmodeled)
    }

    public static func create(_ resource: DesiredResource) -> Change {
        Change(action: .create, address: resource.address, provider: resource.provider, before: nil, after: resource.spec)
    }

    public static func delete(_ resource: DesiredResource) -> Change {
        Change(action: .delete, address: resource.address, provider: resource.provider, before: resource.spec, after: nil)
    }

    public static func update(_ resource: DesiredResource, from before: ResourceSpec) -> Change {
        Change(action: .update, address: resource.address, provider: resource.provider, before: before, after: resource.spec)
    }
}

/// A journal that keeps intents and results in the order they were written, so tests can
/// check that every change's intent was journalled before its outcome.
public actor OrderedJournal: RunRecorder {
    public enum Entry: Hashable, Sendable {
        case intent(Address, chunk: Int)
        case result(Address, ChangeResult.Status, chunk: Int)
    }

    public private(set) var entries: [Entry] = []
    public private(set) var stages: [String] = []

    public init() {}

    public func intend(_ changes: [Change], chunk: Int) async throws {
        entries += changes.map { .intent($0.address, chunk: chunk) }
    }

    public func record(_ results: [ChangeResult], chunk: Int) async throws {
        entries += results.map { .result($0.address, $0.status, chunk: chunk) }
    }

    public func timing(_ stage: String, detail: String?, seconds: Double) async { stages.append(stage) }

    public func intentIndex(_ address: Address) -> Int? {
        entries.firstIndex { if case .intent(address, _) = $0 { true } else { false } }
    }

    public func resultIndex(_ address: Address) -> Int? {
        entries.firstIndex { if case .result(address, _, _) = $0 { true } else { false } }
    }
}

/// A journal that refuses to record intents: the applier must then write nothing.
public struct FailingJournal: RunRecorder {
    public struct Refused: Error {}

    public init() {}

    public func intend(_ changes: [Change], chunk: Int) async throws { throw Refused() }
    public func record(_ results: [ChangeResult], chunk: Int) async throws {}
    public func timing(_ stage: String, detail: String?, seconds: Double) async {}
}

/// Counts probe attempts.
public actor AttemptCounter {
    public private(set) var count = 0
    public private(set) var remainings: [Duration] = []

    public init() {}

    func next(_ remaining: Duration) -> Int {
        count += 1
        remainings.append(remaining)
        return count
    }
}

/// A probe that fails until its `passOn`-th attempt, and never passes when `passOn` is nil.
public struct CountingProbe: CheckProbe {
    public let passOn: Int?
    public let counter = AttemptCounter()

    public init(passOn: Int?) {
        self.passOn = passOn
    }

    public func attempt(_ probe: Check.Probe, workingDirectory: String, remaining: Duration) async -> ProbeOutcome {
        let attempt = await counter.next(remaining)
        let passed = passOn.map { attempt >= $0 } ?? false
        return ProbeOutcome(passed: passed, detail: passed ? "passed on attempt \(attempt)" : "attempt \(attempt) failed")
    }
}

extension CoreFixtures {
    /// The diagnostics loading `tree` reports, sorted by position; empty when it loads.
    public static func diagnostics(_ tree: MemoryTree, environment: [String: String] = [:]) throws -> [Diagnostic] {
        do {
            _ = try DesiredStateLoader(environment: environment).load(tree)
            return []
        } catch let error as DiagnosticsError {
            return error.diagnostics
        }
    }
}
