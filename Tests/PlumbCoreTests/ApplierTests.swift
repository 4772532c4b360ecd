import PlumbTestSupport
import Testing

@testable import PlumbCore

/// A fake provider, a plan computed through it, and an applier wired to both.
struct ApplyRig {
    let desired: DesiredState
    let state: FakeState
    let providers: [String: any Provider]
    let outcome: PlanPipeline.Outcome

    var plan: Plan { outcome.plan }

    static func make(
        _ resources: [DesiredResource], chunkSize: Int = 1, state: FakeState = FakeState(),
        seed: [LiveResource] = [], configure: (inout StackSettings) -> Void = { $0.chunkStrategy = .fixed }
    ) async throws -> ApplyRig {
        for resource in seed { await state.seed(resource) }
        let desired = F.state(resources, checks: []) {
            $0.chunkSize = chunkSize
            configure(&$0)
        }
        let providers: [String: any Provider] = ["main": FakeProvider(state: state)]
        let outcome = try await PlanPipeline(desired: desired, providers: providers, prior: PriorState()).run(source: PlanSource())
        return ApplyRig(desired: desired, state: state, providers: providers, outcome: outcome)
    }

    func applier(checks: [Check] = [], recorder: any RunRecorder = MemoryRecorder(), probe: any CheckProbe = ScriptedProbe()) -> Applier {
        Applier(
            providers: providers, scopes: outcome.scopes, context: ApplyContext(stack: desired.settings.stack),
            checks: checks, executor: CheckExecutor(probe: probe, workingDirectory: "/", retryDelay: .milliseconds(5)),
            recorder: recorder)
    }

    /// Plans again against the fake provider.
    func replan() async throws -> Plan {
        try await PlanPipeline(desired: desired, providers: providers, prior: PriorState()).run(source: PlanSource()).plan
    }
}

/// A provider whose writes succeed but whose read-back always fails.
struct BlindProvider: Provider {
    let inner: FakeProvider
    var binding: ProviderBinding { inner.binding }

    func describe(_ scope: DescribeScope) async throws -> Inventory { try await inner.describe(scope) }
    func apply(_ changes: [Change], context: ApplyContext) async -> BatchResult { await inner.apply(changes, context: context) }
    func readBack(_ addresses: [Address], scope: DescribeScope) async throws -> Inventory {
        throw ProviderError(.unavailable, provider: binding.name, "read-back timed out")
    }
}

@Suite("Applier")
struct ApplierTests {
    static let vpcs = ["a", "b", "c", "d"].enumerated().map { F.vpc($1, "10.\($0).0.0/16") }
    static func address(_ name: String) -> Address { Address(kind: .vpc, name: name) }

    static let failAfterB = Check(name: "b-broke-it", after: ["net.vpc/b"], probe: .command(["fail"]), timeout: .milliseconds(60))
    static let alwaysPasses = Check(name: "fine", probe: .command(["pass"]), timeout: .seconds(1))

    @Test("the fixture plan has four chunks of one VPC each")
    func fixture() async throws {
        let rig = try await ApplyRig.make(Self.vpcs)
        #expect(rig.plan.chunks.map { $0.changes.map(\.address.name) } == [["a"], ["b"], ["c"], ["d"]])
    }

    @Test("everything applied: every chunk applied, checks run after each, and a replan is empty")
    func success() async throws {
        let rig = try await ApplyRig.make(Self.vpcs)
        let recorder = MemoryRecorder()
        let result = await rig.applier(checks: [Self.alwaysPasses], recorder: recorder).apply(rig.plan)
        #expect(result.status == .succeeded)
        #expect(result.error == nil)
        #expect(result.chunks.map(\.status) == [.applied, .applied, .applied, .applied])
        #expect(result.chunks.allSatisfy { $0.checks.map(\.name) == ["fine"] && $0.checks.allSatisfy(\.passed) })
        #expect(result.applied == Self.vpcs.map(\.address))
        #expect(result.chunks.flatMap(\.changes).allSatisfy { $0.id == "id-\($0.address.name)" })
        #expect(await rig.state.applyCalls == Self.vpcs.map { [$0.address] })
        #expect(await recorder.intents == Self.vpcs.map(\.address))
        #expect(await recorder.results.map(\.status) == [.applied, .applied, .applied, .applied])
        let again = try await rig.replan()
        #expect(!again.hasChanges)
        #expect(again.conflicts.isEmpty, "what Plumb created carries this stack's tag")
    }

    @Test("a check failing after chunk 2 of 4 skips chunks 3 and 4")
    func checkFailureStops() async throws {
        let rig = try await ApplyRig.make(Self.vpcs)
        let recorder = MemoryRecorder()
        let result = await rig.applier(checks: [Self.alwaysPasses, Self.failAfterB], recorder: recorder).apply(rig.plan)
        #expect(result.status == .failed)
        #expect(result.error != nil)
        #expect(result.chunks.map(\.status) == [.applied, .failed, .skipped, .skipped])
        #expect(result.chunks[1].changes.map(\.status) == [.applied], "chunk 2 was written before its check failed")
        #expect(result.chunks[1].checks.map(\.name) == ["fine", "b-broke-it"])
        #expect(result.chunks[1].checks.map(\.passed) == [true, false])
        #expect(result.chunks[0].checks.map(\.name) == ["fine"], "the failing check only runs after its chunk")
        for chunk in result.chunks[2...] {
            #expect(chunk.changes.map(\.status) == [.notApplied])
            #expect(chunk.checks.isEmpty)
        }
        #expect(result.changedAnything)
        #expect(result.applied == [Self.address("a"), Self.address("b")])
        #expect(result.notApplied == [Self.address("c"), Self.address("d")])
        #expect(Set(await rig.state.resources.keys) == [Self.address("a"), Self.address("b")])
        #expect(await rig.state.applyCalls.count == 2)
        #expect(await recorder.intents == [Self.address("a"), Self.address("b")])
    }

    @Test("a write failure in chunk 1 changes nothing and skips the rest")
    func writeFailureFirstChunk() async throws {
        let rig = try await ApplyRig.make(Self.vpcs)
        await rig.state.failWrite(Self.address("a"))
        let result = await rig.applier(checks: [Self.alwaysPasses]).apply(rig.plan)
        #expect(result.status == .failed)
        #expect(!result.changedAnything)
        #expect(result.chunks.map(\.status) == [.failed, .skipped, .skipped, .skipped])
        let failed = try #require(result.chunks[0].changes.first)
        #expect(failed.status == .failed)
        #expect(failed.error != nil)
        #expect(result.chunks[0].checks.isEmpty, "no checks after a failed write")
        #expect(await rig.state.resources.isEmpty)
        #expect(await rig.state.applyCalls.count == 1)
    }

    @Test("a write failure inside a chunk: earlier changes applied, later ones not attempted")
    func writeFailureMidChunk() async throws {
        let rig = try await ApplyRig.make(Self.vpcs, chunkSize: 4)
        await rig.state.failWrite(Self.address("b"))
        let result = await rig.applier().apply(rig.plan)
        #expect(result.status == .failed)
        #expect(result.chunks.count == 1)
        #expect(result.chunks[0].changes.map(\.status) == [.applied, .failed, .notApplied, .notApplied])
        #expect(result.changedAnything)
        #expect(result.applied == [Self.address("a")])
    }

    @Test("a create the provider does not report back is failed and unconfirmed, not applied")
    func readBackMissing() async throws {
        let rig = try await ApplyRig.make(Self.vpcs)
        await rig.state.readStale(Self.address("b"))
        let result = await rig.applier().apply(rig.plan)
        #expect(result.status == .failed)
        #expect(result.chunks.map(\.status) == [.applied, .failed, .skipped, .skipped])
        let change = try #require(result.chunks[1].changes.first)
        #expect(change.status == .unconfirmed)
        #expect(change.error != nil)
        #expect(result.applied == [Self.address("a")])
    }

    @Test("an update the provider reports with the old value is unconfirmed, not applied")
    func readBackStaleUpdate() async throws {
        let vpc = F.vpc("main", tags: ["team": "new"])
        let old = F.live(vpc.address, .vpc(VPCSpec(cidr: "10.0.0.0/16", tags: ["team": "old"])), owner: F.stack)
        let rig = try await ApplyRig.make([vpc], seed: [old])
        #expect(rig.plan.changes.map(\.action) == [.update])
        await rig.state.readStale(vpc.address)
        let result = await rig.applier(checks: [Self.alwaysPasses]).apply(rig.plan)
        #expect(result.status == .failed)
        #expect(result.chunks.first?.status == .failed)
        #expect(result.chunks.first?.changes.map(\.status) == [.unconfirmed])
        #expect(result.chunks.first?.checks.isEmpty == true)
        #expect(result.applied.isEmpty)
    }

    @Test("a write the provider accepted but could not read back still counts as a change (exit 3, not 1)")
    func readBackThrows() async throws {
        let rig = try await ApplyRig.make(Self.vpcs)
        let blind = BlindProvider(inner: FakeProvider(state: rig.state))
        let applier = Applier(
            providers: ["main": blind], scopes: rig.outcome.scopes, context: ApplyContext(stack: F.stack),
            checks: [], executor: nil, recorder: MemoryRecorder())
        let result = await applier.apply(rig.plan)
        #expect(result.status == .failed)
        #expect(result.chunks.map(\.status) == [.failed, .skipped, .skipped, .skipped])
        #expect(result.chunks[0].changes.map(\.status) == [.unconfirmed])
        #expect(await rig.state.resources.keys.contains(Self.address("a")), "the provider did write it")
        #expect(result.changedAnything)
    }

    @Test("the journal holds every attempted change's intent before its result, and nothing for skipped chunks")
    func journalOrder() async throws {
        let rig = try await ApplyRig.make(Self.vpcs, chunkSize: 2)
        await rig.state.failWrite(Self.address("d"))
        let journal = OrderedJournal()
        let result = await rig.applier(recorder: journal).apply(rig.plan)
        #expect(result.chunks.map(\.status) == [.applied, .failed])
        for address in Self.vpcs.map(\.address) {
            let intent = try #require(await journal.intentIndex(address), "no intent for \(address)")
            let outcome = try #require(await journal.resultIndex(address), "no result for \(address)")
            #expect(intent < outcome, "\(address): result journalled before intent")
        }
        let entries = await journal.entries
        #expect(
            Array(entries.prefix(2)) == [.intent(Self.address("a"), chunk: 0), .intent(Self.address("b"), chunk: 0)],
            "a chunk's intents come before any write")
        #expect(entries.contains(.result(Self.address("d"), .failed, chunk: 1)))
        #expect(entries.contains(.result(Self.address("c"), .applied, chunk: 1)))
    }

    @Test("skipped chunks are never journalled")
    func journalSkipsSkipped() async throws {
        let rig = try await ApplyRig.make(Self.vpcs)
        let journal = OrderedJournal()
        _ = await rig.applier(checks: [Self.failAfterB], recorder: journal).apply(rig.plan)
        #expect(await journal.intentIndex(Self.address("c")) == nil)
        #expect(await journal.intentIndex(Self.address("d")) == nil)
        #expect(await journal.entries.count == 4)
    }

    @Test("a journal that cannot record the intent stops the apply before any write")
    func journalRefuses() async throws {
        let rig = try await ApplyRig.make(Self.vpcs)
        let result = await rig.applier(recorder: FailingJournal()).apply(rig.plan)
        #expect(result.status == .failed)
        #expect(!result.changedAnything)
        #expect(await rig.state.applyCalls.isEmpty)
        #expect(result.chunks.map(\.status) == [.failed, .skipped, .skipped, .skipped])
    }

    @Test("checks run only after chunks their after: globs match")
    func checkGlobs() async throws {
        let rig = try await ApplyRig.make(Self.vpcs)
        let dnsOnly = Check(name: "dns-only", after: ["dns.record/*"], probe: .command(["fail"]), timeout: .milliseconds(20))
        let result = await rig.applier(checks: [dnsOnly]).apply(rig.plan)
        #expect(result.status == .succeeded)
        #expect(result.chunks.allSatisfy { $0.checks.isEmpty })
    }

    @Test("an empty plan is unchanged and writes nothing")
    func emptyPlan() async throws {
        let rig = try await ApplyRig.make(Self.vpcs, seed: Self.vpcs.map { F.live($0) })
        #expect(!rig.plan.hasChanges)
        let result = await rig.applier(checks: [Self.alwaysPasses]).apply(rig.plan)
        #expect(result.status == .unchanged)
        #expect(result.chunks.isEmpty)
        #expect(!result.changedAnything)
        #expect(await rig.state.applyCalls.isEmpty)
    }

    @Test("deletes apply after creates, subnets before their VPC")
    func deletes() async throws {
        let old = F.vpc("old", "10.9.0.0/16")
        let oldSubnet = F.subnet("old-a", "10.9.1.0/24", vpc: "old")
        let rig = try await ApplyRig.make([Self.vpcs[0]], chunkSize: 20, seed: [F.live(old), F.live(oldSubnet)])
        let result = await rig.applier().apply(rig.plan)
        #expect(result.status == .succeeded)
        #expect(await rig.state.applyCalls == [[Self.vpcs[0].address], [oldSubnet.address], [old.address]])
        #expect(Set(await rig.state.resources.keys) == [Self.vpcs[0].address])
    }

    @Test("a chunk spanning providers writes one batch per provider")
    func batchesPerProvider() async throws {
        let main = FakeState()
        let dns = FakeState()
        let zone = F.zone("example.com.", provider: "dns")
        let desired = F.state([Self.vpcs[0], zone], providers: ["main": .embedded, "dns": .embedded]) {
            $0.chunkBy = .none
            $0.chunkStrategy = .fixed
        }
        let providers: [String: any Provider] = ["main": FakeProvider(name: "main", state: main), "dns": FakeProvider(name: "dns", state: dns)]
        let outcome = try await PlanPipeline(desired: desired, providers: providers, prior: PriorState()).run(source: PlanSource())
        #expect(outcome.plan.chunks.count == 1)
        let applier = Applier(
            providers: providers, scopes: outcome.scopes, context: ApplyContext(stack: F.stack), checks: [], executor: nil, recorder: MemoryRecorder()
        )
        let result = await applier.apply(outcome.plan)
        #expect(result.status == .succeeded)
        #expect(await main.applyCalls == [[Self.vpcs[0].address]])
        #expect(await dns.applyCalls == [[zone.address]])
    }

    @Test("a change for a provider that is not configured fails its chunk")
    func unknownProvider() async throws {
        let rig = try await ApplyRig.make(Self.vpcs)
        var plan = rig.plan
        plan.chunks[0].changes[0].provider = "ghost"
        let result = await rig.applier().apply(plan)
        #expect(result.status == .failed)
        #expect(result.chunks.first?.status == .failed)
        #expect(result.chunks.first?.changes.map(\.status) == [.notApplied])
        #expect(!result.changedAnything)
    }
}
