import Foundation
import PlumbCore
import PlumbStore
import Testing

private func temporaryDirectory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("plumb-state-\(UUID().uuidString)").path
}

@Suite("State store")
struct StateStoreTests {
    @Test("a run left running is marked interrupted, with the changes it intended but never confirmed")
    func recoverInterrupted() async throws {
        let store = try SQLiteStateStore(directory: temporaryDirectory())
        let run = try await store.beginRun(stack: "s", command: "apply", source: PlanSource(), commit: nil)
        let recorder = store.recorder(run: run)
        let done = Change(
            action: .create, address: Address(kind: .vpc, name: "a"), provider: "p", before: nil, after: .vpc(VPCSpec(cidr: "10.0.0.0/16")))
        let pending = Change(
            action: .create, address: Address(kind: .vpc, name: "b"), provider: "p", before: nil, after: .vpc(VPCSpec(cidr: "10.1.0.0/16")))
        try await recorder.intend([done], chunk: 0)
        try await recorder.record([ChangeResult(address: done.address, action: .create, status: .applied)], chunk: 0)
        try await recorder.intend([pending], chunk: 1)

        let recovered = try await store.recoverInterrupted(stack: "s")
        #expect(recovered == [InterruptedRun(id: run, pending: ["net.vpc/b"])])
        #expect(try await store.run(run)?.status == .interrupted)
        // Only once.
        #expect(try await store.recoverInterrupted(stack: "s").isEmpty)
    }

    @Test("prior state round-trips and the last applied commit is kept")
    func priorState() async throws {
        let directory = temporaryDirectory()
        let store = try SQLiteStateStore(directory: directory)
        let prior = PriorState(managed: [.zone("example.com.")], protected: [Address(kind: .vpc, name: "main")])
        try await store.savePrior(prior, stack: "s", commit: "abc")
        try await store.savePrior(prior, stack: "s", commit: nil)
        let reopened = try SQLiteStateStore(directory: directory)
        #expect(try await reopened.prior(stack: "s") == prior)
        #expect(try await reopened.lastAppliedCommit(stack: "s") == "abc")
        #expect(try await reopened.prior(stack: "other") == PriorState())
    }

    @Test("stage timings are kept per run")
    func timings() async throws {
        let store = try SQLiteStateStore(directory: temporaryDirectory())
        let run = try await store.beginRun(
            stack: "s", command: "apply", source: PlanSource(), commit: CommitInfo(id: "c0ffee", author: "Ann", subject: "Add www"))
        await store.recorder(run: run).timing("describe", detail: nil, seconds: 0.25)
        try await store.finishRun(run, status: .succeeded, plan: nil, result: nil, error: nil)
        let record = try await store.run(run)
        #expect(record?.timings == [StageTiming(stage: "describe", detail: nil, seconds: 0.25)])
        #expect(record?.commit?.subject == "Add www")
        #expect(try await store.allTimings().count == 1)
    }

    @Test("a second lock on the same stack fails at once and names the holder; it frees on release")
    func stackLock() throws {
        let directory = temporaryDirectory()
        var first: StackLock? = try StackLock(directory: directory, stack: "s", purpose: "test one")
        #expect(throws: StackLock.Held.self) { try StackLock(directory: directory, stack: "s", purpose: "test two") }
        do {
            _ = try StackLock(directory: directory, stack: "s", purpose: "test two")
        } catch let held as StackLock.Held {
            #expect(held.holder.contains("pid \(getpid())") && held.holder.contains("test one"))
        }
        // Another stack is independent.
        #expect(throws: Never.self) { _ = try StackLock(directory: directory, stack: "other", purpose: "x") }
        withExtendedLifetime(first) {}
        first = nil
        #expect(throws: Never.self) { _ = try StackLock(directory: directory, stack: "s", purpose: "test three") }
    }
}
