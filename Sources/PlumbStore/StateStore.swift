import Foundation
import GRDB
import PlumbCore

/// Plumb's state under `--state`: run history with journal and stage timings, and each
/// stack's prior state (managed and protected addresses).
public struct StateStore: Sendable {
    let database: DatabasePool
    public let path: String

    public init(directory: String) throws {
        path = (directory as NSString).appendingPathComponent("state.sqlite")
        database = try StateDatabase.open(path: path)
    }

    public func beginRun(stack: String, command: String, source: PlanSource, commit: CommitInfo?) async throws -> Int64 {
        let sourceText = try JSONOutput.encode(source)
        return try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs (stack, command, status, started_at, pid, commit_id, commit_author, commit_subject, source)
                    VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [stack, command, Date().timeIntervalSince1970, Int(getpid()), commit?.id, commit?.author, commit?.subject, sourceText])
            return db.lastInsertedRowID
        }
    }

    public func finishRun(_ id: Int64, status: RunRecord.Status, plan: Plan?, result: ApplyResult?, error: String?) async throws {
        let planText = try plan.map { try JSONOutput.encode($0) }
        let summaryText = try plan.map { try JSONOutput.encode($0.summary) }
        let resultText = try result.map { try JSONOutput.encode($0) }
        try await database.write { db in
            try db.execute(
                sql: "UPDATE runs SET status = ?, finished_at = ?, plan = ?, summary = ?, result = ?, error = ? WHERE id = ?",
                arguments: [status.rawValue, Date().timeIntervalSince1970, planText, summaryText, resultText, error, id])
        }
    }

    public func recorder(run: Int64) -> any RunRecorder {
        StoreRecorder(database: database, run: run)
    }

    /// Marks runs of `stack` left `running` as interrupted. Call it while holding the stack's
    /// lock: a run still marked running then belongs to a process that is gone.
    public func recoverInterrupted(stack: String) async throws -> [InterruptedRun] {
        try await database.write { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM runs WHERE stack = ? AND status = 'running'", arguments: [stack])
            var runs: [InterruptedRun] = []
            for id in ids {
                let rows = try Row.fetchAll(db, sql: "SELECT address, phase FROM journal WHERE run_id = ? ORDER BY seq", arguments: [id])
                var phase: [String: String] = [:]
                for row in rows { phase[row["address"]] = row["phase"] }
                let pending = phase.filter { $0.value == "intent" }.keys.sorted()
                try db.execute(
                    sql: "UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? WHERE id = ?",
                    arguments: [Date().timeIntervalSince1970, "the process stopped before the run finished; \(pending.count) change(s) may have been half-done", id])
                runs.append(InterruptedRun(id: id, pending: pending))
            }
            return runs
        }
    }

    public func prior(stack: String) async throws -> PriorState {
        try await database.read { db in
            guard let text = try String.fetchOne(db, sql: "SELECT prior FROM stacks WHERE stack = ?", arguments: [stack]) else {
                return PriorState()
            }
            return try JSONDecoder().decode(PriorState.self, from: Data(text.utf8))
        }
    }

    public func savePrior(_ prior: PriorState, stack: String, commit: String?) async throws {
        let text = try JSONOutput.encode(prior)
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO stacks (stack, prior, last_commit, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(stack) DO UPDATE SET prior = excluded.prior,
                        last_commit = COALESCE(excluded.last_commit, stacks.last_commit), updated_at = excluded.updated_at
                    """,
                arguments: [stack, text, commit, Date().timeIntervalSince1970])
        }
    }

    public func lastAppliedCommit(stack: String) async throws -> String? {
        try await database.read { db in
            try String.fetchOne(db, sql: "SELECT last_commit FROM stacks WHERE stack = ?", arguments: [stack])
        }
    }
}
