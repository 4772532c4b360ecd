import Foundation
import GRDB
import PlumbCore
import Synchronization

extension SQLiteStateStore {
    public func runs(limit: Int) async throws -> [RunRecord] {
        try await flushTimings()
        return try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT \(StoredRun.columns) FROM runs ORDER BY id DESC LIMIT ?", arguments: [limit])
                .map { try Self.record(row: $0, db: db) }
        }
    }

    public func runs(limit: Int, commitPrefix: String) async throws -> [RunRecord] {
        try await flushTimings()
        return try await database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(StoredRun.columns) FROM runs WHERE substr(commit_id, 1, ?) = ? ORDER BY id DESC LIMIT ?",
                arguments: [commitPrefix.count, commitPrefix, limit]
            )
            .map { try Self.record(row: $0, db: db) }
        }
    }

    public func run(_ id: Int64) async throws -> RunRecord? {
        try await flushTimings()
        return try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT \(StoredRun.columns), plan FROM runs WHERE id = ?", arguments: [id])
                .map { try Self.record(row: $0, db: db, whole: true) }
        }
    }

    public func allTimings() async throws -> [StageTiming] {
        try await flushTimings()
        return try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT stage, detail, seconds FROM timings ORDER BY run_id, rowid").map(Self.timing)
        }
    }

    public func timings(run: Int64) async throws -> [StageTiming] {
        try await flushTimings()
        return try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT stage, detail, seconds FROM timings WHERE run_id = ? ORDER BY rowid", arguments: [run]).map(Self.timing)
        }
    }

    /// Writes the timings recorders still hold (the writer is serial: after every queued
    /// journal write).
    func flushTimings() async throws {
        let waiting = pendingTimings.takeAll()
        guard !waiting.isEmpty else { return }
        try await database.write { db in
            for (run, timings) in waiting { try PendingTimings.write(timings, run: run, db: db) }
        }
    }

    static func record(row: Row, db: Database, whole: Bool = false) throws -> RunRecord {
        let stored = StoredRun(
            id: row["id"], stack: row["stack"], command: row["command"], status: row["status"],
            startedAt: row["started_at"], finishedAt: row["finished_at"], commitID: row["commit_id"],
            commitAuthor: row["commit_author"], commitSubject: row["commit_subject"], summary: row["summary"],
            result: row["result"], error: row["error"], agent: row["agent"], kind: row["kind"], trigger: row["triggered_by"],
            checks: row["checks"], diagnostics: row["diagnostics"], note: row["note"], source: row["source"],
            plan: whole ? row["plan"] : nil)
        let timings = try Row.fetchAll(db, sql: "SELECT stage, detail, seconds FROM timings WHERE run_id = ? ORDER BY rowid", arguments: [stored.id])
        return stored.record(timings: timings.map(timing), whole: whole)
    }

    static func timing(_ row: Row) -> StageTiming {
        StageTiming(stage: row["stage"], detail: row["detail"], seconds: row["seconds"])
    }
}

/// Journals an apply into the state database.
///
/// The chunk cycle's cost (Docs/decisions.md, "The chunk cycle"): an intent is written and committed before the
/// provider hears of the change, as always; an outcome is queued on the database's one
/// writer without waiting for it (the writer is serial, so the next intent, and the run's
/// finish, commit after it); stage timings wait in memory for the next of those writes
/// instead of committing one transaction each.
struct StoreRecorder: RunRecorder {
    let database: DatabasePool
    let run: Int64
    let pending: PendingTimings

    func intend(_ changes: [Change], chunk: Int) async throws {
        try await insert(JournalEntry.intents(changes), chunk: chunk)
    }

    func record(_ results: [ChangeResult], chunk: Int) async throws {
        let entries = JournalEntry.outcomes(results)
        let timings = pending.take(run: run)
        let run = self.run
        let now = Date().timeIntervalSince1970
        database.asyncWrite(
            { db in
                try Self.insert(entries, timings: timings, run: run, chunk: chunk, at: now, db: db)
            }, completion: { _, _ in })
    }

    func journal(_ entry: RevertJournal, chunk: Int) async throws {
        try await insert(try JournalEntry.entries(entry), chunk: chunk)
    }

    private func insert(_ entries: [JournalEntry], chunk: Int) async throws {
        let now = Date().timeIntervalSince1970
        let timings = pending.take(run: run)
        let run = self.run
        try await database.write { db in
            try Self.insert(entries, timings: timings, run: run, chunk: chunk, at: now, db: db)
        }
    }

    /// One transaction and one prepared statement per batch (preparing it per row cost a
    /// tenth of a 10,000-record apply).
    static func insert(_ entries: [JournalEntry], timings: [StageTiming], run: Int64, chunk: Int, at now: Double, db: Database) throws {
        if !entries.isEmpty {
            let statement = try db.cachedStatement(
                sql: "INSERT INTO journal (run_id, chunk, address, action, phase, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?)")
            for entry in entries {
                try statement.execute(arguments: [run, chunk, entry.address, entry.action, entry.phase, entry.detail, now])
            }
        }
        try PendingTimings.write(timings, run: run, db: db)
    }

    func timing(_ stage: String, detail: String?, seconds: Double) async {
        pending.add(StageTiming(stage: stage, detail: detail, seconds: seconds), run: run)
    }
}

/// Stage timings not yet written, by run: written with the run's next journal write, its
/// finish, or before any read of timings.
final class PendingTimings: Sendable {
    private let waiting = Mutex<[Int64: [StageTiming]]>([:])

    func add(_ timing: StageTiming, run: Int64) {
        waiting.withLock { $0[run, default: []].append(timing) }
    }

    func take(run: Int64) -> [StageTiming] {
        waiting.withLock { $0.removeValue(forKey: run) ?? [] }
    }

    func takeAll() -> [Int64: [StageTiming]] {
        waiting.withLock { waiting in
            defer { waiting = [:] }
            return waiting
        }
    }

    static func write(_ timings: [StageTiming], run: Int64, db: Database) throws {
        guard !timings.isEmpty else { return }
        let statement = try db.cachedStatement(sql: "INSERT INTO timings (run_id, stage, detail, seconds) VALUES (?, ?, ?, ?)")
        for timing in timings {
            try statement.execute(arguments: [run, timing.stage, timing.detail, timing.seconds])
        }
    }
}
