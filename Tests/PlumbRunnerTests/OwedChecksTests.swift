import Foundation
import PlumbCore
import PlumbRunner
import PlumbStore
import Testing

/// What a run leaves owed, and which checks a record obliges (SPEC §8.5).
@Suite("owed checks")
struct OwedChecksTests {
    let www = Address(kind: .record, name: "example.com./www/A")
    let api = Address(kind: .record, name: "example.com./api/A")

    func check(_ name: String, after: [String] = ["*"]) -> Check {
        Check(name: name, after: after, probe: .tcp(host: "127.0.0.1", port: 1))
    }

    func result(_ name: String, _ passed: Bool) -> CheckResult {
        CheckResult(name: name, passed: passed, attempts: 1, durationMs: 1, detail: passed ? "ok" : "no")
    }

    func chunk(_ index: Int, _ address: Address, checks: [CheckResult], status: ChunkResult.Status) -> ChunkResult {
        ChunkResult(
            index: index, status: status, changes: [ChangeResult(address: address, action: .create, status: .applied)],
            checks: checks, error: nil, durationMs: 1)
    }

    @Test("a check failing after chunk 2 is owed with chunk 2's changes, not chunk 1's")
    func failedInChunk() throws {
        let result = ApplyResult(
            status: .failed,
            chunks: [
                chunk(0, api, checks: [result("smoke", true)], status: .applied),
                chunk(1, www, checks: [result("smoke", false)], status: .failed),
            ])
        let owed = try #require(OwedChecks.after(apply: result, rechecks: [], owed: nil, run: 7, commit: "c1"))
        #expect(owed.run == 7 && owed.lastRun == 7 && owed.commit == "c1")
        #expect(owed.checks == ["smoke"] && owed.addresses == [www.description])
        #expect(owed.complete)
    }

    @Test("failing again keeps the first run; passing clears; a write failure keeps the record as it was")
    func lifecycle() throws {
        let first = FailedChecks(commit: "c1", run: 7, lastRun: 7, checks: ["smoke"], addresses: [www.description], complete: true)
        let unchanged = ApplyResult(status: .unchanged, chunks: [])
        let again = try #require(OwedChecks.after(apply: unchanged, rechecks: [result("smoke", false)], owed: first, run: 9, commit: "c2"))
        #expect(again.run == 7 && again.lastRun == 9 && again.commit == "c2")
        #expect(OwedChecks.after(apply: unchanged, rechecks: [result("smoke", true)], owed: first, run: 10, commit: "c2") == nil)
        let writeFailed = ApplyResult(
            status: .failed,
            chunks: [
                ChunkResult(
                    index: 0, status: .failed, changes: [ChangeResult(address: api, action: .create, status: .failed)], checks: [], error: "x",
                    durationMs: 1)
            ])
        #expect(OwedChecks.after(apply: writeFailed, rechecks: [], owed: first, run: 11, commit: "c2") == first)
        #expect(OwedChecks.clearedNote(first) == "checks that failed on run 7 now pass")
    }

    @Test("the checks owed: those that failed and those whose after: matches the changes applied since")
    func due() {
        let owed = FailedChecks(commit: nil, run: 1, lastRun: 1, checks: ["gone", "smoke"], addresses: [www.description], complete: true)
        let checks = [check("smoke", after: ["net.*"]), check("www", after: ["dns.record/example.com./www/*"]), check("other", after: ["net.vpc/*"])]
        #expect(OwedChecks.due(owed, checks: checks).map(\.name) == ["smoke", "www"], "a check no longer declared is owed no more")
    }

    @Test("plumb check clears only when every owed check ran and passed")
    func checkRun() {
        let owed = FailedChecks(commit: nil, run: 1, lastRun: 1, checks: ["smoke"], addresses: [], complete: true)
        let due = [check("smoke")]
        #expect(OwedChecks.after(check: [result("smoke", true)], owed: owed, due: due, run: 4) == nil)
        #expect(OwedChecks.after(check: [result("smoke", false)], owed: owed, due: due, run: 4)?.lastRun == 4)
        #expect(OwedChecks.after(check: [result("other", true)], owed: owed, due: due, run: 4) == owed, "--only left it out")
    }

    @Test("a reverted run owes none of its failed checks; what was owed before stays owed")
    func revertedOwesNothingNew() {
        let reverted = ApplyResult(
            status: .reverted,
            chunks: [
                chunk(0, api, checks: [result("smoke", true)], status: .applied),
                chunk(1, www, checks: [result("gate", false)], status: .failed),
            ])
        #expect(OwedChecks.after(apply: reverted, rechecks: [], owed: nil, run: 5, commit: "c1") == nil)
        let before = FailedChecks(commit: "c0", run: 3, lastRun: 3, checks: ["smoke"], addresses: [api.description], complete: true)
        #expect(OwedChecks.after(apply: reverted, rechecks: [], owed: before, run: 5, commit: "c1") == before)
    }
}
