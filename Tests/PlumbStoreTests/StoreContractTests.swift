import Foundation
import Logging
import PlumbCore
import PlumbStore
import PlumbStorePostgres
import PlumbTestSupport
import Testing

/// One store made for a test, with what keeps it alive.
struct OpenedStore {
    let store: any StateStore
    let server: PostgresServer?
    /// Another store on the same database, as another process would open it.
    var another: @Sendable () async throws -> any StateStore
}

enum StoreKind: String, CaseIterable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }

    func open(agent: String? = "agent-a") async throws -> OpenedStore {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-store-\(UUID().uuidString)").path
            return OpenedStore(
                store: try SQLiteStateStore(directory: directory, agent: agent), server: nil,
                another: { try SQLiteStateStore(directory: directory, agent: "agent-b") })
        case .postgres:
            let server = try PostgresServer()
            let store = try await PostgresStateStore(url: server.url, agent: agent, timeout: 15, logger: Logger(label: "test"))
            return OpenedStore(
                store: store, server: server,
                another: { try await PostgresStateStore(url: server.url, agent: "agent-b", timeout: 15, logger: Logger(label: "test")) })
        }
    }
}

/// Both stores keep the same history the same way: what one test asserts of SQLite it
/// asserts of PostgreSQL.
@Suite("state stores: SQLite and PostgreSQL alike")
struct StoreContractTests {
    let vpcA = Change(action: .create, address: Address(kind: .vpc, name: "a"), provider: "p", before: nil, after: .vpc(VPCSpec(cidr: "10.0.0.0/16")))
    let vpcB = Change(action: .create, address: Address(kind: .vpc, name: "b"), provider: "p", before: nil, after: .vpc(VPCSpec(cidr: "10.1.0.0/16")))

    @Test("a run with commit, journal, timings and agent reads back as written", arguments: StoreKind.allCases)
    func runRoundTrip(kind: StoreKind) async throws {
        let opened = try await kind.open()
        let store = opened.store
        let commit = CommitInfo(id: String(repeating: "c", count: 40), author: "Ann <ann@example.com>", subject: "Add www")
        let run = try await store.beginRun(stack: "s", command: "agent", source: PlanSource(), commit: commit)
        let recorder = store.recorder(run: run)
        try await recorder.intend([vpcA, vpcB], chunk: 0)
        try await recorder.record(
            [
                ChangeResult(address: vpcA.address, action: .create, status: .applied),
                ChangeResult(address: vpcB.address, action: .create, status: .failed, error: "quota"),
            ], chunk: 0)
        await recorder.timing("describe", detail: nil, seconds: 0.25)
        await recorder.timing("apply", detail: "chunk 1", seconds: 0.5)
        let result = ApplyResult(status: .failed, chunks: [])
        try await store.finishRun(run, status: .failed, plan: nil, result: result, error: "create net.vpc/b failed: quota")

        let record = try #require(try await store.run(run))
        #expect(record.stack == "s" && record.command == "agent" && record.status == .failed)
        #expect(record.commit == commit)
        #expect(record.agent == "agent-a")
        #expect(record.error == "create net.vpc/b failed: quota")
        #expect(record.finishedAt != nil)
        #expect(
            record.timings == [
                StageTiming(stage: "describe", detail: nil, seconds: 0.25), StageTiming(stage: "apply", detail: "chunk 1", seconds: 0.5),
            ])
        #expect(try await store.timings(run: run) == record.timings)
        let second = try await store.beginRun(stack: "t", command: "apply", source: PlanSource(), commit: nil)
        #expect(try await store.runs(limit: 10).map(\.id) == [second, run])
        #expect(try await store.runs(limit: 1).map(\.id) == [second])
        // What an agent pass and `plumb follow` ask, one row and one commit at a time.
        #expect(try await store.latestWritingRun(stack: "s") == LatestRun(id: run, status: .failed, commit: commit.id))
        #expect(try await store.latestWritingRun(stack: "t") == LatestRun(id: second, status: .running, commit: nil))
        #expect(try await store.latestWritingRun(stack: "nobody") == nil)
        // Runs that write nothing do not hide the failed apply before them: an invalid
        // commit, a refused plan, checks on their own, a review.
        for (kind, status) in [(RunOrigin.Kind.apply, RunRecord.Status.invalid), (.apply, .refused), (.check, .succeeded), (.review, .succeeded)] {
            let quiet = try await store.beginRun(
                stack: "s", command: "agent", origin: RunOrigin(kind: kind, trigger: .webhook), source: PlanSource(), commit: nil)
            try await store.finishRun(quiet, status: status, plan: nil, result: nil, error: nil)
        }
        #expect(try await store.latestWritingRun(stack: "s") == LatestRun(id: run, status: .failed, commit: commit.id))
        let heal = try await store.beginRun(
            stack: "s", command: "heal", origin: RunOrigin(kind: .heal, trigger: .drift), source: PlanSource(), commit: nil)
        try await store.finishRun(heal, status: .succeeded, plan: nil, result: nil, error: nil)
        #expect(try await store.latestWritingRun(stack: "s")?.id == heal)
        #expect(try await store.runs(limit: 10, commitPrefix: "cccccccc").map(\.id) == [run])
        #expect(try await store.runs(limit: 10, commitPrefix: commit.id).map(\.id) == [run])
        #expect(try await store.runs(limit: 10, commitPrefix: "cccd").isEmpty)
        #expect(try await store.allTimings().count == 2)
        #expect(try await store.run(second + 1000) == nil)

        // A work tree's uncommitted changes: the run keeps HEAD and says dirty.
        var source = PlanSource(commit: commit.id, root: "/srv/infra")
        source.dirty = true
        let dirty = try await store.beginRun(
            stack: "s", command: "apply", source: source,
            commit: CommitInfo(id: commit.id, author: commit.author, subject: commit.subject, dirty: true))
        #expect(try await store.run(dirty)?.commit?.dirty == true)
        #expect(try await store.runs(limit: 1).first?.commit?.dirty == true)
        #expect(try await store.run(run)?.commit?.dirty == nil)
    }

    @Test("a run left running is recovered once, with the changes intended but never confirmed", arguments: StoreKind.allCases)
    func recoverInterrupted(kind: StoreKind) async throws {
        let opened = try await kind.open()
        let store = opened.store
        let run = try await store.beginRun(stack: "s", command: "apply", source: PlanSource(), commit: nil)
        let other = try await store.beginRun(stack: "other", command: "apply", source: PlanSource(), commit: nil)
        let recorder = store.recorder(run: run)
        try await recorder.intend([vpcA], chunk: 0)
        try await recorder.record([ChangeResult(address: vpcA.address, action: .create, status: .applied)], chunk: 0)
        try await recorder.intend([vpcB], chunk: 1)

        #expect(try await store.recoverInterrupted(stack: "s") == [InterruptedRun(id: run, pending: ["net.vpc/b"])])
        #expect(try await store.run(run)?.status == .interrupted)
        #expect(try await store.run(other)?.status == .running, "another stack's run is not touched")
        #expect(try await store.recoverInterrupted(stack: "s").isEmpty)
    }

    @Test("prior state, last applied commit, drift reports and review plans round-trip", arguments: StoreKind.allCases)
    func stackState(kind: StoreKind) async throws {
        let opened = try await kind.open()
        let store = opened.store
        let prior = PriorState(managed: [.zone("example.com.")], protected: [Address(kind: .vpc, name: "main")])
        #expect(try await store.prior(stack: "s") == PriorState())
        #expect(try await store.lastAppliedCommit(stack: "s") == nil)
        try await store.savePrior(prior, stack: "s", commit: "abc")
        try await store.savePrior(prior, stack: "s", commit: nil)
        #expect(try await store.prior(stack: "s") == prior)
        #expect(try await store.lastAppliedCommit(stack: "s") == "abc", "a failed run keeps the last applied commit")
        // A run that changed nothing Plumb remembers moves the commit and keeps the prior.
        try await store.markApplied("def", stack: "s")
        #expect(try await store.prior(stack: "s") == prior)
        #expect(try await store.lastAppliedCommit(stack: "s") == "def")
        // Read once more unchanged, then rewritten by another process: never a stale prior.
        #expect(try await store.prior(stack: "s") == prior)
        let other = try await opened.another()
        let changed = PriorState(managed: [.zone("example.org.")])
        try await other.savePrior(changed, stack: "s", commit: nil)
        #expect(try await store.prior(stack: "s") == changed)
        try await store.markApplied("ghi", stack: "new")
        #expect(try await store.prior(stack: "new") == PriorState())
        #expect(try await store.lastAppliedCommit(stack: "new") == "ghi")

        var report = DriftReport(
            plan: Plan(
                stack: "s", source: PlanSource(commit: "abc"), summary: Plan.Summary(), chunks: [], conflicts: [], observed: ""))
        try await store.saveDrift(report, stack: "s", commit: "abc")
        report.summary.missing = 1
        try await store.saveDrift(report, stack: "s", commit: "abc")
        #expect(try await store.latestDrift(stack: "s")?.summary.missing == 1)
        #expect(try await store.latestDrift(stack: "t") == nil)

        let at = Date(timeIntervalSince1970: 1_800_000_000)
        try await store.saveReviewPlan(ReviewPlanRecord(id: "42", head: "h1", base: "main", checksum: "x", markdown: "old", at: at), stack: "s")
        try await store.saveReviewPlan(ReviewPlanRecord(id: "42", head: "h2", base: "main", checksum: "y", markdown: "new", at: at), stack: "s")
        #expect(try await store.reviewPlan(id: "42") == ReviewPlanRecord(id: "42", head: "h2", base: "main", checksum: "y", markdown: "new", at: at))
        #expect(try await store.reviewPlans(checksum: "y", stack: "s").map(\.id) == ["42"])
        #expect(try await store.reviewPlans(checksum: "x", stack: "s").isEmpty)
        #expect(try await store.reviewPlans(checksum: "y", stack: "other").isEmpty)
    }

    @Test("a run's kind, trigger, checks and an invalid commit's diagnostics read back as written", arguments: StoreKind.allCases)
    func kindsAndDiagnostics(kind: StoreKind) async throws {
        let opened = try await kind.open()
        let store = opened.store
        let commit = CommitInfo(id: String(repeating: "d", count: 40), author: "Bea <bea@example.com>", subject: "Break YAML")
        let run = try await store.beginRun(
            stack: "s", command: "agent", origin: RunOrigin(kind: .apply, trigger: .webhook), source: PlanSource(), commit: commit)
        let diagnostic = Diagnostic(.syntax, at: SourceLocation(file: "Desired/dns/a.yaml", line: 3, column: 7), "mapping values are not allowed")
        try await store.finishRun(
            run, status: .invalid, text: try FinishedRunText(plan: nil, result: nil, diagnostics: [diagnostic]), error: diagnostic.description)
        let checkRun = try await store.beginRun(
            stack: "s", command: "check", origin: RunOrigin(kind: .check, trigger: .cli), source: PlanSource(), commit: nil)
        let passed = CheckResult(name: "www", passed: true, attempts: 2, durationMs: 12, detail: "answered")
        try await store.finishRun(checkRun, status: .succeeded, text: try FinishedRunText(plan: nil, result: nil, checks: [passed]), error: nil)

        let invalid = try #require(try await store.run(run))
        #expect(invalid.status == .invalid && invalid.kind == .apply && invalid.trigger == .webhook)
        #expect(invalid.diagnostics == [diagnostic])
        #expect(invalid.commit?.author == "Bea <bea@example.com>")
        let checked = try #require(try await store.runs(limit: 5).first)
        #expect(checked.id == checkRun && checked.kind == .check && checked.trigger == .cli && checked.checks == [passed])
    }

    @Test("failed checks are kept per stack until cleared, and retention is told to keep their runs", arguments: StoreKind.allCases)
    func failedChecks(kind: StoreKind) async throws {
        let opened = try await kind.open()
        let store = opened.store
        #expect(try await store.failedChecks(stack: "s") == nil)
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let first = FailedChecks(
            commit: "c1", run: 4, lastRun: 4, checks: ["www"], addresses: ["dns.record/example.com./www/A"], complete: false, at: at)
        try await store.saveFailedChecks(first, stack: "s")
        var again = first
        again.lastRun = 9
        again.complete = true
        try await store.saveFailedChecks(again, stack: "s")
        try await store.saveFailedChecks(
            FailedChecks(commit: nil, run: 2, lastRun: 3, checks: ["api"], addresses: [], complete: true, at: at), stack: "t")
        #expect(try await store.failedChecks(stack: "s") == again)
        #expect(try await store.runsToKeep() == [2, 3, 4, 9])
        try await store.saveFailedChecks(nil, stack: "s")
        #expect(try await store.failedChecks(stack: "s") == nil)
        #expect(try await store.failedChecks(stack: "t")?.checks == ["api"], "another stack's record is not touched")
        #expect(try await store.runsToKeep() == [2, 3])
    }

    @Test(
        "webhook deliveries: a key is new once within the window and new again after it; one of racing callers is first",
        arguments: StoreKind.allCases)
    func deliveries(kind: StoreKind) async throws {
        let opened = try await kind.open()
        let store = opened.store
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let window: TimeInterval = 3600
        #expect(try await store.recordDelivery("id:github:1", at: at, window: window))
        #expect(try await store.recordDelivery("id:github:1", at: at.addingTimeInterval(10), window: window) == false)
        #expect(try await store.recordDelivery("body:abc", at: at.addingTimeInterval(10), window: window))
        #expect(try await store.recordDelivery("id:github:1", at: at.addingTimeInterval(window - 1), window: window) == false)
        // Past the window the key is forgotten: the same delivery counts as new.
        #expect(try await store.recordDelivery("id:github:1", at: at.addingTimeInterval(window + 20), window: window))
        #expect(try await store.recordDelivery("id:github:1", at: at.addingTimeInterval(window + 30), window: window) == false)
        // Concurrent callers with one key: exactly one is first.
        let firsts = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { try await store.recordDelivery("id:gitea:race", at: at, window: window) } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(firsts == 1)
    }
}
