import Foundation
import GRDB
import PlumbCore

/// A review plan of a pull or merge request, as the agent computed it on its last event.
public struct ReviewPlanRecord: Sendable, Codable, Hashable {
    public var id: String
    public var head: String
    public var base: String?
    /// SHA-256 of the plan's changes: the same changes give the same checksum.
    public var checksum: String
    public var markdown: String
    public var at: Date

    public init(id: String, head: String, base: String?, checksum: String, markdown: String, at: Date = Date()) {
        self.id = id
        self.head = head
        self.base = base
        self.checksum = checksum
        self.markdown = markdown
        self.at = at
    }
}

extension StateStore {
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
            try Row.fetchAll(db, sql: "SELECT * FROM review_plans WHERE checksum = ? AND stack = ?", arguments: [checksum, stack]).map(Self.reviewPlan)
        }
    }

    static func reviewPlan(_ row: Row) -> ReviewPlanRecord {
        ReviewPlanRecord(
            id: row["id"], head: row["head"], base: row["base"], checksum: row["checksum"], markdown: row["markdown"],
            at: Date(timeIntervalSince1970: row["at"]))
    }
}
