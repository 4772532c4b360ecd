import Foundation
import Logging
import PlumbStore
import PostgresNIO

/// The same tables as the SQLite store (Sources/PlumbStore/StateDatabase.swift), in
/// PostgreSQL's dialect, under the same migration names; times are seconds since 1970 in
/// both. Two tables only a shared store needs: `agents` (heartbeats) and `stack_leases`
/// (who holds which stack, for people; the advisory lock is what counts).
enum PostgresSchema {
    static let migrations: [(name: String, statements: [PostgresQuery])] = [
        (
            "v1",
            [
                """
                CREATE TABLE runs (
                    id BIGSERIAL PRIMARY KEY, stack TEXT NOT NULL, command TEXT NOT NULL, status TEXT NOT NULL,
                    started_at DOUBLE PRECISION NOT NULL, finished_at DOUBLE PRECISION, pid INTEGER NOT NULL,
                    commit_id TEXT, commit_author TEXT, commit_subject TEXT, source TEXT, summary TEXT, plan TEXT,
                    result TEXT, error TEXT)
                """,
                """
                CREATE TABLE journal (
                    seq BIGSERIAL PRIMARY KEY, run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    chunk INTEGER NOT NULL, address TEXT NOT NULL, action TEXT NOT NULL, phase TEXT NOT NULL,
                    detail TEXT, at DOUBLE PRECISION NOT NULL)
                """,
                "CREATE INDEX journal_run ON journal (run_id)",
                """
                CREATE TABLE timings (
                    run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, stage TEXT NOT NULL, detail TEXT,
                    seconds DOUBLE PRECISION NOT NULL)
                """,
                "CREATE INDEX timings_run ON timings (run_id)",
                """
                CREATE TABLE stacks (
                    stack TEXT PRIMARY KEY, prior TEXT NOT NULL, last_commit TEXT, updated_at DOUBLE PRECISION NOT NULL)
                """,
            ]
        ),
        (
            "v2-agent",
            [
                """
                CREATE TABLE drift_reports (
                    id BIGSERIAL PRIMARY KEY, stack TEXT NOT NULL, commit_id TEXT, at DOUBLE PRECISION NOT NULL,
                    report TEXT NOT NULL)
                """,
                """
                CREATE TABLE review_plans (
                    id TEXT PRIMARY KEY, stack TEXT NOT NULL, head TEXT NOT NULL, base TEXT, checksum TEXT NOT NULL,
                    markdown TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)
                """,
            ]
        ),
        (
            "v3-agents",
            [
                "ALTER TABLE runs ADD COLUMN agent TEXT",
                "CREATE INDEX runs_stack_status ON runs (stack, status)",
                """
                CREATE TABLE agents (
                    id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, stacks TEXT NOT NULL,
                    started_at DOUBLE PRECISION NOT NULL, seen_at DOUBLE PRECISION NOT NULL)
                """,
                """
                CREATE TABLE stack_leases (
                    stack TEXT PRIMARY KEY, agent TEXT NOT NULL, since DOUBLE PRECISION NOT NULL,
                    renewed_at DOUBLE PRECISION NOT NULL)
                """,
            ]
        ),
        (
            "v4-order",
            [
                // SQLite keeps timings in insertion order by rowid; PostgreSQL needs a column.
                "ALTER TABLE timings ADD COLUMN IF NOT EXISTS seq BIGSERIAL"
            ]
        ),
        (
            "v5-promises",
            [
                // SPEC §8.4/§8.5: every run's kind and trigger, the checks it ran outside chunks,
                // an invalid commit's diagnostics; the checks a stack still owes.
                "ALTER TABLE runs ADD COLUMN kind TEXT, ADD COLUMN triggered_by TEXT, ADD COLUMN checks TEXT, ADD COLUMN diagnostics TEXT, ADD COLUMN note TEXT",
                """
                CREATE TABLE failed_checks (
                    stack TEXT PRIMARY KEY, run_id BIGINT NOT NULL, last_run_id BIGINT NOT NULL, record TEXT NOT NULL)
                """,
            ]
        ),
        (
            "v6-deliveries",
            [
                "CREATE TABLE webhook_deliveries (delivery TEXT PRIMARY KEY, at DOUBLE PRECISION NOT NULL)",
                "CREATE INDEX webhook_deliveries_at ON webhook_deliveries (at)",
            ]
        ),
    ]

    /// Any number of agents may start at once: a transaction-scoped advisory lock lets one
    /// migrate while the others wait, then find nothing left to do.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(AdvisoryKey.migrations))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS plumb_migrations (name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)",
                logger: logger)
            var applied: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM plumb_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            for migration in migrations where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(statement, logger: logger)
                }
                try await connection.query(
                    "INSERT INTO plumb_migrations (name, applied_at) VALUES (\(migration.name), \(Date().timeIntervalSince1970))",
                    logger: logger)
                logger.info("store migrated", metadata: ["migration": "\(migration.name)"])
            }
        }
    }
}

/// Keys of PostgreSQL advisory locks: one for migrations, one per stack.
enum AdvisoryKey {
    /// "plumb" in ASCII, then a 1: far from the stack keys' hash space in practice.
    static let migrations: Int64 = 0x706C_756D_6200_0001

    /// A stable 64-bit key for the stack's name, the same on every machine.
    static func stack(_ name: String) -> Int64 {
        Int64(bitPattern: StableHash.fnv1a("plumb-stack:\(name)"))
    }
}
