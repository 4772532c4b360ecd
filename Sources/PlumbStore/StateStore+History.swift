import Foundation
import GRDB
import PlumbCore

extension StateStore {
    /// The newest runs first.
    public func runs(limit: Int = 50) async throws -> [RunRecord] {
        try await database.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id DESC LIMIT ?", arguments: [limit])
            return try rows.map { try Self.record(row: $0, db: db) }
        }
    }

    public func run(_ id: Int64) async throws -> RunRecord? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]).map { try Self.record(row: $0, db: db) }
        }
    }

    /// Every stage timing across runs, for `history --stats`.
    public func allTimings() async throws -> [StageTiming] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT stage, detail, seconds FROM timings ORDER BY run_id").map {
                StageTiming(stage: $0["stage"], detail: $0["detail"], seconds: $0["seconds"])
            }
        }
    }

    static func record(row: Row, db: Database) throws -> RunRecord {
        let id: Int64 = row["id"]
        let decoder = JSONDecoder()
        let summary = (row["summary"] as String?).flatMap { try? decoder.decode(Plan.Summary.self, from: Data($0.utf8)) }
        let result = (row["result"] as String?).flatMap { try? decoder.decode(ApplyResult.self, from: Data($0.utf8)) }
        let commit = (row["commit_id"] as String?).map {
            CommitInfo(id: $0, author: row["commit_author"], subject: row["commit_subject"])
        }
        let timings = try Row.fetchAll(db, sql: "SELECT stage, detail, seconds FROM timings WHERE run_id = ?", arguments: [id]).map {
            StageTiming(stage: $0["stage"], detail: $0["detail"], seconds: $0["seconds"])
        }
        let finished: Double? = row["finished_at"]
        return RunRecord(
            id: id, stack: row["stack"], command: row["command"],
            status: RunRecord.Status(rawValue: row["status"]) ?? .failed,
            startedAt: Date(timeIntervalSince1970: row["started_at"]),
            finishedAt: finished.map(Date.init(timeIntervalSince1970:)), commit: commit, summary: summary,
            applied: result?.applied.map(\.description) ?? [], notApplied: result?.notApplied.map(\.description) ?? [],
            error: row["error"], timings: timings)
    }
}

/// Journals an apply into the state database.
struct StoreRecorder: RunRecorder {
    let database: DatabasePool
    let run: Int64

    func intend(_ changes: [Change], chunk: Int) async throws {
        try await database.write { db in
            for change in changes {
                try db.execute(
                    sql: "INSERT INTO journal (run_id, chunk, address, action, phase, at) VALUES (?, ?, ?, ?, 'intent', ?)",
                    arguments: [run, chunk, change.address.description, change.action.rawValue, Date().timeIntervalSince1970])
            }
        }
    }

    func record(_ results: [ChangeResult], chunk: Int) async throws {
        try await database.write { db in
            for result in results {
                try db.execute(
                    sql: "INSERT INTO journal (run_id, chunk, address, action, phase, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [run, chunk, result.address.description, result.action.rawValue, result.status.rawValue, result.error, Date().timeIntervalSince1970])
            }
        }
    }

    func timing(_ stage: String, detail: String?, seconds: Double) async {
        try? await database.write { db in
            try db.execute(sql: "INSERT INTO timings (run_id, stage, detail, seconds) VALUES (?, ?, ?, ?)", arguments: [run, stage, detail, seconds])
        }
    }
}
