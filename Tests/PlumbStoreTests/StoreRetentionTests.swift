import Foundation
import GRDB
import PlumbCore
import PlumbStore
import PlumbTestSupport
import Testing

/// `plumb agent --retain` (#18): both stores prune alike and keep what is still needed.
@Suite("state stores: retention and integrity")
struct StoreRetentionTests {
    func commit(_ letter: Character) -> CommitInfo {
        CommitInfo(id: String(repeating: letter, count: 40), author: "Ann <ann@example.com>", subject: "c")
    }

    @Test(
        "prune removes old runs, drift reports and review plans; keeps each stack's newest and newest successful run, running runs, the runs asked for, the newest drift report and hold",
        arguments: StoreKind.allCases)
    func prune(kind: StoreKind) async throws {
        let opened = try await kind.open()
        let store = opened.store
        func run(_ stack: String, _ status: RunRecord.Status?, _ letter: Character) async throws -> Int64 {
            let id = try await store.beginRun(stack: stack, command: "agent", source: PlanSource(), commit: commit(letter))
            await store.recorder(run: id).timing("describe", detail: nil, seconds: 0.1)
            if let status { try await store.finishRun(id, status: status, plan: nil, result: nil, error: nil) }
            return id
        }
        let oldSuccess = try await run("s", .succeeded, "a")
        let oldFailure = try await run("s", .failed, "b")
        let lastSuccess = try await run("s", .succeeded, "c")
        let newestOfS = try await run("s", .failed, "d")
        let sticky = try await run("t", .failed, "e")
        let running = try await run("t", nil, "f")
        let onlyOfU = try await run("u", .succeeded, "0")

        let report = DriftReport(plan: Plan(stack: "s", source: PlanSource(), summary: Plan.Summary(), chunks: [], conflicts: [], observed: ""))
        try await store.saveDrift(report, stack: "s", commit: nil)
        try await store.saveDrift(report, stack: "s", commit: nil)
        let old = Date().addingTimeInterval(-100)
        for (id, age) in [("7", 0.0), ("held-aaa", 0.0), ("held-bbb", 50.0)] {
            try await store.saveReviewPlan(
                ReviewPlanRecord(id: id, head: "h", base: nil, checksum: "x", markdown: "m", at: old.addingTimeInterval(age)), stack: "s")
        }

        // Nothing is older than an hour ago: nothing goes.
        #expect(try await store.prune(before: Date().addingTimeInterval(-3600), keeping: []).runs == 0)

        // The run a record of owed checks names is what retention is told to keep.
        try await store.saveFailedChecks(
            FailedChecks(commit: "e", run: sticky, lastRun: sticky, checks: ["www"], addresses: [], complete: true, at: Date()), stack: "t")
        #expect(try await store.retentionKeeps() == [sticky])
        let outcome = try await store.prune(before: Date().addingTimeInterval(60), keeping: try await store.retentionKeeps())
        #expect(outcome.runs == 2)
        #expect(outcome.driftReports == 1)
        #expect(outcome.reviewPlans == 2)
        let remaining = Set(try await store.runs(limit: 100).map(\.id))
        #expect(remaining == [lastSuccess, newestOfS, sticky, running, onlyOfU])
        #expect(!remaining.contains(oldSuccess) && !remaining.contains(oldFailure))
        #expect(try await store.timings(run: oldSuccess).isEmpty, "a pruned run's timings go with it")
        #expect(try await store.timings(run: lastSuccess).count == 1)
        #expect(try await store.latestDrift(stack: "s") != nil)
        #expect(try await store.reviewPlan(id: "held-bbb") != nil)
        #expect(try await store.reviewPlan(id: "held-aaa") == nil)
        #expect(try await store.reviewPlan(id: "7") == nil)
        #expect(outcome.remainingCommits == Set(["c", "d", "e", "f", "0"].map { String(repeating: $0, count: 40) }))
    }

    @Test("a sound store passes the integrity check", arguments: StoreKind.allCases)
    func soundStore(kind: StoreKind) async throws {
        let opened = try await kind.open()
        try await opened.store.checkIntegrity()
    }

    @Test("a SQLite store with a damaged page fails the integrity check, even while its own connections hold the page")
    func damagedSQLite() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-store-\(UUID().uuidString)").path
        let store = try SQLiteStateStore(directory: directory)
        for _ in 0..<20 { _ = try await store.beginRun(stack: "s", command: "apply", source: PlanSource(), commit: nil) }
        _ = try await store.runs(limit: 50)  // the pool's reader now caches the runs pages
        let path = SQLiteStateStore.path(inDirectory: directory)
        let (pageSize, root) = try DatabaseQueue(path: path).inDatabase { db -> (Int, Int) in
            _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            return (
                try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096,
                try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'runs'") ?? 2
            )
        }
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try file.seek(toOffset: UInt64((root - 1) * pageSize))
        try file.write(contentsOf: Data(repeating: 0xA5, count: pageSize))
        try file.close()
        let error = await #expect(throws: StoreIntegrityError.self) { try await store.checkIntegrity() }
        #expect(error?.location == store.location)
    }
}
