import Foundation
import GRDB
import PlumbCore

/// The default store: one SQLite file, `--state/state.sqlite`, for one machine.
public struct SQLiteStateStore: StateStore {
    let database: DatabasePool
    public let path: String
    /// Recorded with every run this process starts.
    let agent: String?
    /// Timings recorders hold until their run's next write.
    let pendingTimings = PendingTimings()
    let priors = PriorCache()

    public var location: String { "sqlite:\(path)" }
    public var coordinator: any StackCoordinator { LocalCoordinator() }

    public init(directory: String, agent: String? = nil) throws {
        try self.init(path: Self.path(inDirectory: directory), agent: agent)
    }

    /// The store's file under a `--state` directory.
    public static func path(inDirectory directory: String) -> String {
        (directory as NSString).appendingPathComponent("state.sqlite")
    }

    public init(path: String, agent: String? = nil) throws {
        self.path = path
        self.agent = agent
        database = try StateDatabase.open(path: path)
    }

    public func beginRun(stack: String, command: String, origin: RunOrigin, source: PlanSource, commit: CommitInfo?) async throws -> Int64 {
        let sourceText = try JSONOutput.encode(source)
        return try await database.write { [agent] db in
            try db.execute(
                sql: """
                    INSERT INTO runs (stack, command, status, started_at, pid, commit_id, commit_author, commit_subject, source, agent, kind, triggered_by)
                    VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    stack, command, Date().timeIntervalSince1970, Int(getpid()), commit?.id, commit?.author, commit?.subject, sourceText, agent,
                    origin.kind.rawValue, origin.trigger.rawValue,
                ])
            return db.lastInsertedRowID
        }
    }

    public func finishRun(_ id: Int64, status: RunRecord.Status, text: FinishedRunText, error: String?) async throws {
        let timings = pendingTimings.take(run: id)
        try await database.write { db in
            try PendingTimings.write(timings, run: id, db: db)
            try db.execute(
                sql:
                    "UPDATE runs SET status = ?, finished_at = ?, plan = ?, summary = ?, result = ?, error = ?, checks = ?, diagnostics = ?, note = ? WHERE id = ?",
                arguments: [
                    status.rawValue, Date().timeIntervalSince1970, text.plan, text.summary, text.result, error, text.checks, text.diagnostics,
                    text.note, id,
                ])
        }
    }

    public func recorder(run: Int64) -> any RunRecorder {
        StoreRecorder(database: database, run: run, pending: pendingTimings)
    }

    public func recoverInterrupted(stack: String) async throws -> [InterruptedRun] {
        try await database.write { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM runs WHERE stack = ? AND status = 'running'", arguments: [stack])
            var runs: [InterruptedRun] = []
            for id in ids {
                let journal = try Row.fetchAll(db, sql: "SELECT address, phase, detail FROM journal WHERE run_id = ? ORDER BY seq", arguments: [id])
                    .map { (address: $0["address"] as String, phase: $0["phase"] as String, detail: $0["detail"] as String?) }
                let run = InterruptedRun.make(id: id, journal: journal)
                try db.execute(
                    sql: "UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? WHERE id = ?",
                    arguments: [Date().timeIntervalSince1970, InterruptedRun.message(pending: run.pending.count), id])
                runs.append(run)
            }
            return runs
        }
    }

    public func prior(stack: String) async throws -> PriorState {
        let text = try await database.read { db in try String.fetchOne(db, sql: "SELECT prior FROM stacks WHERE stack = ?", arguments: [stack]) }
        guard let text else { return PriorState() }
        return try priors.prior(stack: stack, text: text)
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
        priors.remember(stack: stack, text: text, prior: prior)
    }

    public func markApplied(_ commit: String, stack: String) async throws {
        let empty = try JSONOutput.encode(PriorState())
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO stacks (stack, prior, last_commit, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(stack) DO UPDATE SET last_commit = excluded.last_commit, updated_at = excluded.updated_at
                    """,
                arguments: [stack, empty, commit, Date().timeIntervalSince1970])
        }
    }

    public func latestWritingRun(stack: String) async throws -> LatestRun? {
        try await database.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT id, status, commit_id FROM runs WHERE stack = ? AND COALESCE(kind, 'apply') IN ('apply', 'heal')
                        AND status NOT IN ('invalid', 'refused') ORDER BY id DESC LIMIT 1
                    """, arguments: [stack])
            return row.flatMap { row in
                RunRecord.Status(rawValue: row["status"]).map { LatestRun(id: row["id"], status: $0, commit: row["commit_id"]) }
            }
        }
    }

    public func lastAppliedCommit(stack: String) async throws -> String? {
        try await database.read { db in
            try String.fetchOne(db, sql: "SELECT last_commit FROM stacks WHERE stack = ?", arguments: [stack])
        }
    }
}
