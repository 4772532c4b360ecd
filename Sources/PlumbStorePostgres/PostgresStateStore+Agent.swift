import Foundation
import PlumbCore
import PlumbStore
import PostgresNIO

extension PostgresStateStore {
    public func saveDrift(_ report: DriftReport, stack: String, commit: String?) async throws {
        let text = try JSONOutput.encode(report)
        try await execute(
            "INSERT INTO drift_reports (stack, commit_id, at, report) VALUES (\(stack), \(commit), \(Date().timeIntervalSince1970), \(text))")
    }

    public func latestDrift(stack: String) async throws -> DriftReport? {
        let text = try await value(
            "SELECT report FROM drift_reports WHERE stack = \(stack) ORDER BY id DESC LIMIT 1", as: String.self)
        return try text.map { try JSONDecoder().decode(DriftReport.self, from: Data($0.utf8)) }
    }

    public func saveReviewPlan(_ plan: ReviewPlanRecord, stack: String) async throws {
        try await execute(
            """
            INSERT INTO review_plans (id, stack, head, base, checksum, markdown, at)
            VALUES (\(plan.id), \(stack), \(plan.head), \(plan.base), \(plan.checksum), \(plan.markdown), \(plan.at.timeIntervalSince1970))
            ON CONFLICT (id) DO UPDATE SET head = excluded.head, base = excluded.base, checksum = excluded.checksum,
                markdown = excluded.markdown, at = excluded.at
            """)
    }

    public func reviewPlan(id: String) async throws -> ReviewPlanRecord? {
        try await reviewPlans("SELECT id, head, base, checksum, markdown, at FROM review_plans WHERE id = \(id)").first
    }

    public func reviewPlans(checksum: String, stack: String) async throws -> [ReviewPlanRecord] {
        try await reviewPlans(
            "SELECT id, head, base, checksum, markdown, at FROM review_plans WHERE checksum = \(checksum) AND stack = \(stack)")
    }

    public func recordDelivery(_ key: String, at: Date, window: TimeInterval) async throws -> Bool {
        let now = at.timeIntervalSince1970
        let cutoff = now - window
        try await execute("DELETE FROM webhook_deliveries WHERE at < \(cutoff)")
        // A key older than the window that another agent has not yet deleted counts as new.
        let inserted = try await value(
            """
            INSERT INTO webhook_deliveries (delivery, at) VALUES (\(key), \(now))
            ON CONFLICT (delivery) DO UPDATE SET at = excluded.at WHERE webhook_deliveries.at < \(cutoff)
            RETURNING delivery
            """, as: String.self)
        return inserted != nil
    }

    private func reviewPlans(_ query: PostgresQuery) async throws -> [ReviewPlanRecord] {
        let (client, logger) = (self.client, self.logger)
        return try await within {
            var plans: [ReviewPlanRecord] = []
            for try await (id, head, base, checksum, markdown, at) in try await client.query(query, logger: logger)
                .decode((String, String, String?, String, String, Double).self)
            {
                plans.append(
                    ReviewPlanRecord(
                        id: id, head: head, base: base, checksum: checksum, markdown: markdown, at: Date(timeIntervalSince1970: at)))
            }
            return plans
        }
    }
}
