import Foundation
import PlumbTestSupport
import Testing

@testable import PlumbCore

/// Passes its first `passing` attempts, then fails every attempt: a check that starts
/// failing part-way through an apply.
actor FailFromAttempt: CheckProbe {
    let passing: Int
    private(set) var attempts = 0

    init(passing: Int) { self.passing = passing }

    nonisolated func attempt(_ probe: Check.Probe, workingDirectory: String, remaining: Duration) async -> ProbeOutcome {
        await next()
    }

    private func next() -> ProbeOutcome {
        attempts += 1
        return attempts <= passing ? ProbeOutcome(passed: true, detail: "fine") : ProbeOutcome(passed: false, detail: "broken")
    }
}

/// SPEC §8.5 `on_failure`: stop (the default) and revert.
@Suite("on_failure: revert")
struct RevertTests {
    static let zone = F.zone("example.com.")
    static let records = (0..<100).map { F.record("example.com.", "h\($0)", .A, ["192.0.2.\($0 % 250 + 1)"]) }
    static let everyChunk = Check(name: "zone-healthy", after: ["dns.record/example.com./*"], probe: .command(["probe"]), timeout: .milliseconds(40))

    /// 100 creates plus an update and a delete of records that were there before.
    static func rig(onFailure: StackSettings.OnFailure) async throws -> (ApplyRig, [Address: LiveResource]) {
        let state = FakeState()
        let old = F.record("example.com.", "old", .A, ["192.0.2.200"])
        let changed = F.record("example.com.", "h0", .A, ["198.51.100.1"])
        let seed = [F.live(zone), F.live(old), F.live(changed)]
        let rig = try await ApplyRig.make([zone] + records, chunkSize: 500, state: state, seed: seed) {
            $0.onFailure = onFailure
        }
        return (rig, await state.resources)
    }

    func applier(_ rig: ApplyRig, probe: FailFromAttempt, onFailure: StackSettings.OnFailure, recorder: any RunRecorder = MemoryRecorder()) -> Applier
    {
        var applier = Applier(
            providers: rig.providers, scopes: rig.outcome.scopes, context: ApplyContext(stack: rig.desired.settings.stack),
            checks: [Self.everyChunk], executor: CheckExecutor(probe: probe, workingDirectory: "/", retryDelay: .milliseconds(5)),
            recorder: recorder)
        applier.onFailure = onFailure
        return applier
    }

    @Test("a check failing at the fourth chunk stops there: later chunks untouched (stop)")
    func stopsAtFourthChunk() async throws {
        let (rig, _) = try await Self.rig(onFailure: .stop)
        // 99 creates and the update of h0, then the delete of `old`.
        #expect(rig.plan.chunks.map(\.changes.count) == [1, 2, 4, 8, 16, 32, 37, 1])
        let result = await applier(rig, probe: FailFromAttempt(passing: 3), onFailure: .stop).apply(rig.plan)
        #expect(result.status == .failed)
        #expect(result.chunks.map(\.status) == [.applied, .applied, .applied, .failed, .skipped, .skipped, .skipped, .skipped])
        #expect(result.applied.count == 15)
        #expect(await rig.state.applyCalls.count == 4, "chunks 5 to 8 never reached the provider")
        #expect(result.revert == nil)
    }

    @Test("revert: every applied change put back newest first, the zone as before the run, status reverted")
    func revertsToBefore() async throws {
        let (rig, before) = try await Self.rig(onFailure: .revert)
        let probe = FailFromAttempt(passing: 3)
        let recorder = OrderedJournal()
        let result = await applier(rig, probe: probe, onFailure: .revert, recorder: recorder).apply(rig.plan)
        #expect(result.status == .reverted)
        #expect(result.chunks.map(\.status) == [.applied, .applied, .applied, .failed, .skipped, .skipped, .skipped, .skipped])
        let revert = try #require(result.revert)
        #expect(revert.complete)
        #expect(revert.chunks.map(\.index) == [3, 2, 1, 0], "newest chunk first")
        #expect(revert.chunks.map(\.changes.count) == [8, 4, 2, 1])
        #expect(revert.chunks.allSatisfy { $0.checks.isEmpty }, "no checks between revert chunks")
        #expect(revert.checks.map(\.name) == ["zone-healthy"], "the failed check, once more")
        #expect(revert.checks.first?.passed == false)
        #expect(Set(result.reverted) == Set(result.applied))
        #expect(await rig.state.resources == before)
        // Within a chunk, newest change first.
        let firstRevert = revert.chunks[0].changes.map(\.address)
        let fourth = result.chunks[3].changes.map(\.address)
        #expect(firstRevert == fourth.reversed())
        // Every reverse write was journalled before it was made.
        for address in result.reverted {
            let intents = await recorder.entries.filter { if case .intent(address, _) = $0 { true } else { false } }
            #expect(intents.count == 2, "\(address): the forward intent and the revert's")
        }
    }

    @Test("the reverse of each kind of change")
    func reverseOfEachAction() {
        let a = F.record("example.com.", "a", .A, ["192.0.2.1"])
        let old = ResourceSpec.record(RecordSpec(ttl: 60, values: ["192.0.2.9"]))
        let create = Reversal.reverse(of: F.create(a), id: "new-id")
        #expect(create.action == .delete)
        #expect(create.after == nil)
        #expect(create.liveID == "new-id")
        let update = Reversal.reverse(of: F.update(a, from: old), id: nil)
        #expect(update.action == .update)
        #expect(update.after == old)
        #expect(update.before == a.spec)
        let delete = Reversal.reverse(of: Change(action: .delete, address: a.address, provider: "main", before: old, after: nil), id: nil)
        #expect(delete.action == .create)
        #expect(delete.after == old)
    }

    @Test("a plan with on_failure: revert names what would come back with a new id")
    func planNamesNewIDs() {
        let subnet = F.subnet("web", "10.0.1.0/24")
        let record = F.record("example.com.", "gone", .A, ["192.0.2.1"])
        let vpc = F.vpc("main")
        let inventory = F.inventory([F.live(vpc), F.live(subnet), F.live(F.zone("example.com.")), F.live(record)])
        let desired = F.state([vpc, F.zone("example.com.")]) { $0.onFailure = .revert }
        let plan = planOf(desired, inventory, prior: PriorState(managed: [record.address, subnet.address]))
        let notes = Dictionary(uniqueKeysWithValues: plan.changes.map { ($0.address, $0.revert) })
        #expect(notes[subnet.address] == .some(Reversal.newID))
        #expect(notes[record.address] == .some(nil), "a record is recreated exactly")
        let text = PlanTextRenderer(style: TextStyle(color: false)).render(plan)
        #expect(text.contains("net.subnet/web  (revert: recreated with a new id)"))
        #expect(PlanMarkdownRenderer().render(plan).contains("revert: recreated with a new id"))
        let stop = planOf(F.state([vpc, F.zone("example.com.")]), inventory, prior: PriorState(managed: [record.address, subnet.address]))
        #expect(stop.changes.allSatisfy { $0.revert == nil }, "only with on_failure: revert")
    }

    @Test("finishing an interrupted revert: only what is not back yet, against what is live now")
    func putBackAgainstLive() {
        let a = F.record("example.com.", "a", .A, ["192.0.2.1"])
        let b = F.record("example.com.", "b", .A, ["192.0.2.2"])
        let c = F.record("example.com.", "c", .A, ["192.0.2.3"])
        let oldC = ResourceSpec.record(RecordSpec(ttl: 60, values: ["192.0.2.33"]))
        let d = F.record("example.com.", "d", .A, ["192.0.2.4"])
        // The run created a and b, updated c, deleted d; a is gone again already, d is back.
        let changes = [
            F.create(a), F.create(b), F.update(c, from: oldC),
            Change(action: .delete, address: d.address, provider: "main", before: d.spec, after: nil),
        ]
        let live = ["main": F.inventory([F.live(b), F.live(c), F.live(d)])]
        let reverse = Reversal.putBack(changes, live: live)
        #expect(reverse.map(\.address) == [c.address, b.address], "newest first; a and d need nothing")
        #expect(reverse.map(\.action) == [.update, .delete])
        #expect(reverse[0].after == oldC)
        #expect(Reversal.putBack(changes, live: ["main": F.inventory([F.live(d), F.live(c.address, oldC)])]).isEmpty)
    }
}
