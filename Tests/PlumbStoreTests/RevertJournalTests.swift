import Foundation
import PlumbCore
import PlumbStore
import PlumbTestSupport
import Testing

/// `on_failure: revert` journals whole changes; an interrupted run gives them back, and says
/// whether it had started reverting. Both stores alike.
@Suite("revert journal: SQLite and PostgreSQL alike")
struct RevertJournalTests {
    let created = Change(
        action: .create, address: Address(kind: .vpc, name: "a"), provider: "p", before: nil, after: .vpc(VPCSpec(cidr: "10.0.0.0/16")))
    let updated = Change(
        action: .update, address: Address(kind: .vpc, name: "b"), provider: "p", before: .vpc(VPCSpec(cidr: "10.1.0.0/16")),
        after: .vpc(VPCSpec(cidr: "10.1.0.0/16", tags: ["t": "x"])), liveID: "vpc-123")

    @Test("a run killed before it reverted: its changes whole, not reverting", arguments: StoreKind.allCases)
    func killedBeforeReverting(kind: StoreKind) async throws {
        let opened = try await kind.open()
        let store = opened.store
        let run = try await store.beginRun(stack: "s", command: "apply", source: PlanSource(), commit: nil)
        let recorder = store.recorder(run: run)
        try await recorder.journal(.reversible([created]), chunk: 0)
        try await recorder.record([ChangeResult(address: created.address, action: .create, status: .applied, id: "vpc-1")], chunk: 0)
        try await recorder.journal(.reversible([updated]), chunk: 1)
        let recovered = try await store.recoverInterrupted(stack: "s")
        #expect(recovered == [InterruptedRun(id: run, pending: ["net.vpc/b"], reversible: [created, updated], reverting: false)])
    }

    @Test("a run killed while reverting: reverting, with every change it set out to make", arguments: StoreKind.allCases)
    func killedWhileReverting(kind: StoreKind) async throws {
        let opened = try await kind.open()
        let store = opened.store
        let run = try await store.beginRun(stack: "s", command: "apply", source: PlanSource(), commit: nil)
        let recorder = store.recorder(run: run)
        try await recorder.journal(.carried([updated]), chunk: 0)
        try await recorder.journal(.reversible([created]), chunk: 0)
        try await recorder.record([ChangeResult(address: created.address, action: .create, status: .applied, id: "vpc-1")], chunk: 0)
        let reverse = Reversal.reverse(of: created, id: "vpc-1")
        try await recorder.journal(.revertIntent([reverse]), chunk: 0)
        let recovered = try await store.recoverInterrupted(stack: "s")
        #expect(recovered.map(\.reversible) == [[updated, created]], "carried first, in the order written")
        #expect(recovered.map(\.reverting) == [true])
        #expect(recovered.map(\.pending) == [["net.vpc/a"]])
        #expect(try await store.run(run)?.status == .interrupted)
    }

    @Test("a reverted run lists what it applied and what it put back", arguments: StoreKind.allCases)
    func revertedRun(kind: StoreKind) async throws {
        let opened = try await kind.open()
        let store = opened.store
        let run = try await store.beginRun(stack: "s", command: "apply", source: PlanSource(), commit: nil)
        let applied = ChunkResult(
            index: 0, status: .failed, changes: [ChangeResult(address: created.address, action: .create, status: .applied)],
            checks: [CheckResult(name: "c", passed: false, attempts: 1, durationMs: 1, detail: "no")], error: "check c failed", durationMs: 1)
        let putBack = ChunkResult(
            index: 0, status: .applied, changes: [ChangeResult(address: created.address, action: .delete, status: .applied)],
            checks: [], error: nil, durationMs: 1)
        let result = ApplyResult(
            status: .reverted, chunks: [applied], error: "check c failed", revert: RevertResult(chunks: [putBack], checks: [], error: nil))
        try await store.finishRun(run, status: .reverted, plan: nil, result: result, error: result.error)
        let record = try #require(try await store.run(run))
        #expect(record.status == .reverted)
        #expect(record.applied == ["net.vpc/a"])
        #expect(record.reverted == ["net.vpc/a"])
        #expect(try await store.latestWritingRun(stack: "s")?.status == .reverted)
    }
}
