import Foundation
import GRDB
import PlumbCore

extension SQLiteStateStore {
    public func runs(limit: Int) async throws -> [RunRecord] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT \(StoredRun.columns) FROM runs ORDER BY id DESC LIMIT ?", arguments: [limit])
                .map { try Self.record(row: $0, db: db) }
        }
    }

    public func run(_ id: Int64) async throws -> RunRecord? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT \(StoredRun.columns) FROM runs WHERE id = ?", arguments: [id])
                .map { try Self.record(row: $0, db: db) }
        }
    }

    public func allTimings() async throws -> [StageTiming] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT stage, detail, seconds FROM timings ORDER BY run_id, rowid").map(Self.timing)
        }
    }

    public func timings(run: Int64) async throws -> [StageTiming] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT stage, detail, seconds FROM timings WHERE run_id = ? ORDER BY rowid", arguments: [run]).map(Self.timing)
        }
    }

    static func record(row: Row, db: Database) throws -> RunRecord {
        let stored = StoredRun(
            id: row["id"], stack: row["stack"], command: row["command"], status: row["status"],
            startedAt: row["started_at"], finishedAt: row["finished_at"], commitID: row["commit_id"],
            commitAuthor: row["commit_author"], commitSubject: row["commit_subject"], summary: row["summary"],
            result: row["result"], error: row["error"], agent: row["agent"])
        let timings = try Row.fetchAll(db, sql: "SELECT stage, detail, seconds FROM timings WHERE run_id = ? ORDER BY rowid", arguments: [stored.id])
        return stored.record(timings: timings.map(timing))
    }

    static func timing(_ row: Row) -> StageTiming {
        StageTiming(stage: row["stage"], detail: row["detail"], seconds: row["seconds"])
    }
}

/// Journals an apply into the state database.
struct StoreRecorder: RunRecorder {
    let database: DatabasePool
    let run: Int64

    func intend(_ changes: [Change], chunk: Int) async throws {
        try await insert(JournalEntry.intents(changes), chunk: chunk)
    }

    func record(_ results: [ChangeResult], chunk: Int) async throws {
        try await insert(JournalEntry.outcomes(results), chunk: chunk)
    }

    /// One transaction and one prepared statement per batch (preparing it per row cost a
    /// tenth of a 10,000-record apply).
    private func insert(_ entries: [JournalEntry], chunk: Int) async throws {
        let now = Date().timeIntervalSince1970
        try await database.write { db in
            let statement = try db.cachedStatement(
                sql: "INSERT INTO journal (run_id, chunk, address, action, phase, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?)")
            for entry in entries {
                try statement.execute(arguments: [run, chunk, entry.address, entry.action, entry.phase, entry.detail, now])
            }
        }
    }

    func timing(_ stage: String, detail: String?, seconds: Double) async {
        try? await database.write { db in
            try db.execute(sql: "INSERT INTO timings (run_id, stage, detail, seconds) VALUES (?, ?, ?, ?)", arguments: [run, stage, detail, seconds])
        }
    }
}
