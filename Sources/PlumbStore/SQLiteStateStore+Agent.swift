import Foundation
import GRDB
import PlumbCore

extension SQLiteStateStore {
    public func saveDrift(_ report: DriftReport, stack: String, commit: String?) async throws {
        let text = try JSONOutput.encode(report)
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO drift_reports (stack, commit_id, at, report) VALUES (?, ?, ?, ?)",
                arguments: [stack, commit, Date().timeIntervalSince1970, text])
        }
    }

    public func latestDrift(stack: String) async throws -> DriftReport? {
        try await database.read { db in
            try String.fetchOne(db, sql: "SELECT report FROM drift_reports WHERE stack = ? ORDER BY id DESC LIMIT 1", arguments: [stack])
                .map { try JSONDecoder().decode(DriftReport.self, from: Data($0.utf8)) }
        }
    }

    public func saveReviewPlan(_ plan: ReviewPlanRecord, stack: String) async throws {
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO review_plans (id, stack, head, base, checksum, markdown, at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET head = excluded.head, base = excluded.base, checksum = excluded.checksum,
                        markdown = excluded.markdown, at = excluded.at
                    """,
                arguments: [plan.id, stack, plan.head, plan.base, plan.checksum, plan.markdown, plan.at.timeIntervalSince1970])
        }
    }

    public func reviewPlan(id: String) async throws -> ReviewPlanRecord? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM review_plans WHERE id = ?", arguments: [id]).map(Self.reviewPlan)
        }
    }

    /// Review plans whose checksum matches: what reviewers saw for these changes.
    public func reviewPlans(checksum: String, stack: String) async throws -> [ReviewPlanRecord] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM review_plans WHERE checksum = ? AND stack = ?", arguments: [checksum, stack]).map(
                Self.reviewPlan)
        }
    }

    public func recordDelivery(_ key: String, at: Date, window: TimeInterval) async throws -> Bool {
        let now = at.timeIntervalSince1970
        return try await database.write { db in
            try db.execute(sql: "DELETE FROM webhook_deliveries WHERE at < ?", arguments: [now - window])
            try db.execute(
                sql: "INSERT INTO webhook_deliveries (delivery, at) VALUES (?, ?) ON CONFLICT(delivery) DO NOTHING", arguments: [key, now])
            return db.changesCount > 0
        }
    }

    static func reviewPlan(_ row: Row) -> ReviewPlanRecord {
        ReviewPlanRecord(
            id: row["id"], head: row["head"], base: row["base"], checksum: row["checksum"], markdown: row["markdown"],
            at: Date(timeIntervalSince1970: row["at"]))
    }
}
