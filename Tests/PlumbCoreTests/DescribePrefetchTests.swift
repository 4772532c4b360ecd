import Foundation
import OrderedCollections
import PlumbTestSupport
import Synchronization
import Testing

@testable import PlumbCore

/// The describe started while the documents load: predicted from the prior state, used only
/// when the plan then asks for exactly that scope.
@Suite("Describe prefetch")
struct DescribePrefetchTests {
    static let zone = "example.com."

    /// A DNS stack as the loader gives it: the zone and `count` A records on `binding`.
    static func desired(zones: [String] = [zone], binding: ProviderBinding, extra: [String: ProviderBinding] = [:], count: Int = 3) -> DesiredState {
        var resources = OrderedDictionary<Address, DesiredResource>()
        for zone in zones {
            resources[.zone(zone)] = DesiredResource(address: .zone(zone), provider: binding.name, spec: .zone(ZoneSpec()))
            for index in 0..<count {
                let address = Address.record(zone: zone, name: "h\(index)", type: .A)
                resources[address] = DesiredResource(
                    address: address, provider: binding.name, spec: .record(RecordSpec(ttl: 300, values: ["192.0.2.\(index)"])))
            }
        }
        var providers = extra
        providers[binding.name] = binding
        return DesiredState(settings: StackSettings(stack: "dns"), providers: providers, resources: resources, checks: [])
    }

    static func prior(_ desired: DesiredState) -> PriorState {
        PriorState(managed: Set(desired.resources.keys))
    }

    /// The steady state (the documents name the zones the last apply managed): the
    /// prediction is exactly the scope the plan asks for, so the prefetch is used.
    @Test func predictsThePlannersScope() {
        let pdns = ProviderBinding(name: "pdns", type: .powerdns)
        let aws = ProviderBinding(name: "aws", type: .aws)
        for extra in [[:], ["aws": aws]] {
            let desired = Self.desired(zones: [Self.zone, "example.net."], binding: pdns, extra: extra)
            let prior = Self.prior(desired)
            let predicted = DescribePrefetch.predictedScopes(stack: "dns", bindings: desired.providers, prior: prior)
            let asked = PlanPipeline(desired: desired, providers: [:], prior: prior).scopes
            #expect(predicted.count == 1)
            #expect(predicted["pdns"] == asked["pdns"])
        }
    }

    @Test func predictsNothingItCannotAttribute() {
        let pdns = ProviderBinding(name: "pdns", type: .powerdns)
        let desired = Self.desired(binding: pdns)
        // No zone managed yet (a first import).
        #expect(DescribePrefetch.predictedScopes(stack: "dns", bindings: desired.providers, prior: PriorState()).isEmpty)
        // Two DNS-only bindings: whose are the remembered zones?
        let two = ["pdns": pdns, "other": ProviderBinding(name: "other", type: .powerdns)]
        #expect(DescribePrefetch.predictedScopes(stack: "dns", bindings: two, prior: Self.prior(desired)).isEmpty)
        // A binding that also serves cloud kinds is described by name: not predicted.
        let embedded = ["main": ProviderBinding(name: "main", type: .embedded)]
        #expect(DescribePrefetch.predictedScopes(stack: "dns", bindings: embedded, prior: Self.prior(desired)).isEmpty)
    }

    /// A matching prefetch replaces the describe: one describe in all, and the same plan.
    @Test func aMatchingPrefetchIsTheDescribe() async throws {
        let state = FakeState()
        let provider = FakeProvider(name: "pdns", type: .powerdns, state: state)
        let desired = Self.desired(binding: provider.binding)
        let prior = Self.prior(desired)
        for (address, resource) in desired.resources {
            await state.seed(LiveResource(address: address, spec: resource.spec))
        }
        await state.remove(.record(zone: Self.zone, name: "h0", type: .A))
        let prefetch = DescribePrefetch(
            predicted: DescribePrefetch.predictedScopes(stack: "dns", bindings: desired.providers, prior: prior),
            providers: ["pdns": provider])
        let pipeline = PlanPipeline(desired: desired, providers: ["pdns": provider], prior: prior)
        let outcome = try await pipeline.run(source: PlanSource(), prefetch: prefetch)
        #expect(await state.describeCalls == 1)
        #expect(outcome.plan.chunks.flatMap(\.changes).map(\.address) == [.record(zone: Self.zone, name: "h0", type: .A)])
    }

    /// A zone the prior state did not know: the guess is dropped, the real scope described.
    @Test func aWrongGuessIsDescribedAgain() async throws {
        let state = FakeState()
        let provider = FakeProvider(name: "pdns", type: .powerdns, state: state)
        let before = Self.desired(binding: provider.binding)
        let desired = Self.desired(zones: [Self.zone, "example.net."], binding: provider.binding)
        await state.seed(
            LiveResource(address: .record(zone: "example.net.", name: "h1", type: .A), spec: .record(RecordSpec(ttl: 300, values: ["192.0.2.1"]))))
        let prior = Self.prior(before)
        let predicted = DescribePrefetch.predictedScopes(stack: "dns", bindings: desired.providers, prior: prior)
        let prefetch = DescribePrefetch(predicted: predicted, providers: ["pdns": provider])
        let pipeline = PlanPipeline(desired: desired, providers: ["pdns": provider], prior: prior)
        #expect(predicted["pdns"] != pipeline.scopes["pdns"])
        let outcome = try await pipeline.run(source: PlanSource(), prefetch: prefetch)
        // The live record of the new zone was seen: it is not planned as a create.
        let created = outcome.plan.chunks.flatMap(\.changes).filter { $0.action == .create }.map(\.address)
        #expect(!created.contains(.record(zone: "example.net.", name: "h1", type: .A)))
        #expect(created.contains(.record(zone: "example.net.", name: "h0", type: .A)))
        #expect(outcome.inventories["pdns"]?.resources[.record(zone: "example.net.", name: "h1", type: .A)] != nil)
    }

    /// A binding no document uses is never described, prefetched or not: its inventory
    /// would plan deletes of the zones it holds.
    @Test func anUnusedBindingIsNotDescribed() async throws {
        let unusedState = FakeState()
        let unused = FakeProvider(name: "pdns", type: .powerdns, state: unusedState)
        let used = FakeProvider(name: "main", type: .embedded)
        var desired = Self.desired(binding: used.binding)
        desired.providers["pdns"] = unused.binding
        await unusedState.seed(LiveResource(address: .zone(Self.zone), spec: .zone(ZoneSpec())))
        let prior = Self.prior(desired)
        let predicted = DescribePrefetch.predictedScopes(stack: "dns", bindings: desired.providers, prior: prior)
        #expect(predicted.keys.sorted() == ["pdns"])
        let prefetch = DescribePrefetch(predicted: predicted, providers: ["pdns": unused])
        let outcome = try await PlanPipeline(desired: desired, providers: ["main": used], prior: prior)
            .run(source: PlanSource(), prefetch: prefetch)
        #expect(outcome.inventories["pdns"] == nil)
        #expect(outcome.plan.chunks.flatMap(\.changes).allSatisfy { $0.action != .delete })
    }

    /// Bindings whose settings changed between the two reads: the prefetch is not used.
    @Test func aChangedBindingIsDescribedAgain() async throws {
        let state = FakeState()
        let before = FakeProvider(name: "pdns", type: .powerdns, state: state)
        let after = FakeProvider(binding: ProviderBinding(name: "pdns", type: .powerdns, settings: ["url": "http://other"]), state: state)
        let desired = Self.desired(binding: after.binding)
        let prior = Self.prior(desired)
        let prefetch = DescribePrefetch(
            predicted: DescribePrefetch.predictedScopes(stack: "dns", bindings: desired.providers, prior: prior),
            providers: ["pdns": before])
        #expect(prefetch.matching(PlanPipeline(desired: desired, providers: [:], prior: prior).scopes, providers: ["pdns": after]).isEmpty)
        _ = try await PlanPipeline(desired: desired, providers: ["pdns": after], prior: prior).run(source: PlanSource(), prefetch: prefetch)
        #expect(await state.describeCalls == 2)
    }

    /// A prefetch that failed where it guessed right: its error, and no second describe.
    @Test func aFailedPrefetchIsTheDescribesError() async throws {
        let provider = FailingProvider()
        let desired = Self.desired(binding: provider.binding)
        let prior = Self.prior(desired)
        let prefetch = DescribePrefetch(
            predicted: DescribePrefetch.predictedScopes(stack: "dns", bindings: desired.providers, prior: prior),
            providers: ["pdns": provider])
        let pipeline = PlanPipeline(desired: desired, providers: ["pdns": provider], prior: prior)
        await #expect(throws: ProviderError.self) { _ = try await pipeline.run(source: PlanSource(), prefetch: prefetch) }
        #expect(provider.calls.withLock { $0 } == 1)
    }
}

/// A DNS binding whose server is down.
final class FailingProvider: Provider, Sendable {
    let binding = ProviderBinding(name: "pdns", type: .powerdns)
    let calls = Mutex(0)

    func describe(_ scope: DescribeScope) async throws -> Inventory {
        calls.withLock { $0 += 1 }
        throw ProviderError(.unavailable, provider: "pdns", "connection refused")
    }

    func apply(_ changes: [Change], context: ApplyContext) async -> BatchResult {
        BatchResult(outcomes: [])
    }
}
