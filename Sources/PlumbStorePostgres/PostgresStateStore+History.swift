import Foundation
import PlumbCore
import PlumbStore
import PostgresNIO

extension PostgresStateStore {
    public func runs(limit: Int) async throws -> [RunRecord] {
        try await records("SELECT \(unescaped: StoredRun.columns) FROM runs ORDER BY id DESC LIMIT \(Int64(limit))")
    }

    public func runs(limit: Int, commitPrefix: String) async throws -> [RunRecord] {
        try await records(
            """
            SELECT \(unescaped: StoredRun.columns) FROM runs WHERE substr(commit_id, 1, \(Int32(commitPrefix.count))) = \(commitPrefix)
            ORDER BY id DESC LIMIT \(Int64(limit))
            """)
    }

    public func run(_ id: Int64) async throws -> RunRecord? {
        try await records("SELECT \(unescaped: StoredRun.columns), plan FROM runs WHERE id = \(id)", whole: true).first
    }

    public func allTimings() async throws -> [StageTiming] {
        try await timings("SELECT run_id, stage, detail, seconds FROM timings ORDER BY run_id, seq").map(\.timing)
    }

    public func timings(run: Int64) async throws -> [StageTiming] {
        try await timings("SELECT run_id, stage, detail, seconds FROM timings WHERE run_id = \(run) ORDER BY seq").map(\.timing)
    }

    /// Runs with their timings: two statements, however many runs.
    /// `whole`: the query selects `plan` after the list columns.
    private func records(_ query: PostgresQuery, whole: Bool = false) async throws -> [RunRecord] {
        let (client, logger) = (self.client, self.logger)
        let stored = try await within {
            var runs: [StoredRun] = []
            let rows = try await client.query(query, logger: logger)
            for try await row in rows {
                let c = try row.decode(
                    (
                        Int64, String, String, String, Double, Double?, String?, String?, String?, String?, String?, String?, String?,
                        String?, String?, String?, String?, String?, String?
                    ).self)
                let plan = whole ? try row.makeRandomAccess()["plan"].decode(String?.self) : nil
                runs.append(
                    StoredRun(
                        id: c.0, stack: c.1, command: c.2, status: c.3, startedAt: c.4, finishedAt: c.5, commitID: c.6,
                        commitAuthor: c.7, commitSubject: c.8, summary: c.9, result: c.10, error: c.11, agent: c.12,
                        kind: c.13, trigger: c.14, checks: c.15, diagnostics: c.16, note: c.17, source: c.18, plan: plan))
            }
            return runs
        }
        guard !stored.isEmpty else { return [] }
        let ids = stored.map(\.id)
        let timings = try await timings("SELECT run_id, stage, detail, seconds FROM timings WHERE run_id = ANY(\(ids)) ORDER BY seq")
        let byRun = Dictionary(grouping: timings, by: \.run)
        return stored.map { $0.record(timings: byRun[$0.id]?.map(\.timing) ?? [], whole: whole) }
    }

    private func timings(_ query: PostgresQuery) async throws -> [(run: Int64, timing: StageTiming)] {
        let (client, logger) = (self.client, self.logger)
        return try await within {
            var timings: [(run: Int64, timing: StageTiming)] = []
            for try await (run, stage, detail, seconds) in try await client.query(query, logger: logger)
                .decode((Int64, String, String?, Double).self)
            {
                timings.append((run, StageTiming(stage: stage, detail: detail, seconds: seconds)))
            }
            return timings
        }
    }
}

/// Journals an apply into the shared store. An intent that cannot be written stops the
/// chunk before the provider hears of it: no write without a record.
struct PostgresRecorder: RunRecorder {
    let store: PostgresStateStore
    let run: Int64

    func intend(_ changes: [Change], chunk: Int) async throws {
        try await insert(JournalEntry.intents(changes), chunk: chunk)
    }

    func record(_ results: [ChangeResult], chunk: Int) async throws {
        try await insert(JournalEntry.outcomes(results), chunk: chunk)
    }

    func journal(_ entry: RevertJournal, chunk: Int) async throws {
        try await insert(try JournalEntry.entries(entry), chunk: chunk)
    }

    func timing(_ stage: String, detail: String?, seconds: Double) async {
        try? await store.execute(
            "INSERT INTO timings (run_id, stage, detail, seconds) VALUES (\(run), \(stage), \(detail), \(seconds))")
    }

    /// One statement per batch, however many changes: arrays unnested server-side.
    private func insert(_ entries: [JournalEntry], chunk: Int) async throws {
        guard !entries.isEmpty else { return }
        let now = Date().timeIntervalSince1970
        try await store.execute(
            """
            INSERT INTO journal (run_id, chunk, address, action, phase, detail, at)
            SELECT \(run), \(Int32(chunk)), address, action, phase, NULLIF(detail, ''), \(now)
            FROM unnest(\(entries.map(\.address)), \(entries.map(\.action)), \(entries.map(\.phase)), \(entries.map { $0.detail ?? "" }))
                AS entry(address, action, phase, detail)
            """)
    }
}
