import Foundation
import GRDB

/// The schema of `--state/state.sqlite`: runs, their journal and timings, and what each
/// stack last applied. WAL mode and one transaction per write, so a killed process leaves
/// it consistent.
enum StateDatabase {
    static func open(path: String) throws -> DatabasePool {
        try SQLiteFile.open(path: path, migrator: migrator)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "runs") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("stack", .text).notNull()
                table.column("command", .text).notNull()
                table.column("status", .text).notNull()
                table.column("started_at", .double).notNull()
                table.column("finished_at", .double)
                table.column("pid", .integer).notNull()
                table.column("commit_id", .text)
                table.column("commit_author", .text)
                table.column("commit_subject", .text)
                table.column("source", .text)
                table.column("summary", .text)
                table.column("plan", .text)
                table.column("result", .text)
                table.column("error", .text)
            }
            try db.create(table: "journal") { table in
                table.autoIncrementedPrimaryKey("seq")
                table.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
                table.column("chunk", .integer).notNull()
                table.column("address", .text).notNull()
                table.column("action", .text).notNull()
                table.column("phase", .text).notNull()
                table.column("detail", .text)
                table.column("at", .double).notNull()
            }
            try db.create(index: "journal_run", on: "journal", columns: ["run_id"])
            try db.create(table: "timings") { table in
                table.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
                table.column("stage", .text).notNull()
                table.column("detail", .text)
                table.column("seconds", .double).notNull()
            }
            try db.create(index: "timings_run", on: "timings", columns: ["run_id"])
            try db.create(table: "stacks") { table in
                table.primaryKey("stack", .text)
                table.column("prior", .text).notNull()
                table.column("last_commit", .text)
                table.column("updated_at", .double).notNull()
            }
        }
        migrator.registerMigration("v2-agent") { db in
            try db.create(table: "drift_reports") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("stack", .text).notNull()
                table.column("commit_id", .text)
                table.column("at", .double).notNull()
                table.column("report", .text).notNull()
            }
            try db.create(table: "review_plans") { table in
                table.primaryKey("id", .text)
                table.column("stack", .text).notNull()
                table.column("head", .text).notNull()
                table.column("base", .text)
                table.column("checksum", .text).notNull()
                table.column("markdown", .text).notNull()
                table.column("at", .double).notNull()
            }
        }
        migrator.registerMigration("v3-agents") { db in
            // Which agent ran each run, when several share one history.
            try db.alter(table: "runs") { table in table.add(column: "agent", .text) }
        }
        migrator.registerMigration("v4-order") { db in
            // What PostgreSQL's v3 has: finding a stack's runs by status without a scan.
            try db.create(index: "runs_stack_status", on: "runs", columns: ["stack", "status"], ifNotExists: true)
        }
        migrator.registerMigration("v5-promises") { db in
            // SPEC §8.4/§8.5: every run's kind and trigger, the checks it ran outside chunks,
            // an invalid commit's diagnostics; the checks a stack still owes.
            try db.alter(table: "runs") { table in
                table.add(column: "kind", .text)
                table.add(column: "triggered_by", .text)
                table.add(column: "checks", .text)
                table.add(column: "diagnostics", .text)
                table.add(column: "note", .text)
            }
            try db.create(table: "failed_checks") { table in
                table.primaryKey("stack", .text)
                table.column("run_id", .integer).notNull()
                table.column("last_run_id", .integer).notNull()
                table.column("record", .text).notNull()
            }
        }
        migrator.registerMigration("v6-deliveries") { db in
            // Webhook deliveries seen (ids and body hashes), so a replay is known after a restart.
            try db.create(table: "webhook_deliveries") { table in
                table.primaryKey("delivery", .text)
                table.column("at", .double).notNull()
            }
            try db.create(index: "webhook_deliveries_at", on: "webhook_deliveries", columns: ["at"])
        }
        return migrator
    }
}
