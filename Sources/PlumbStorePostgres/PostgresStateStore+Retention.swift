import Foundation
import PlumbStore
import PostgresNIO

extension PostgresStateStore {
    /// PostgreSQL checks its own pages (checksums, WAL); a store that answers a statement
    /// within the deadline is as healthy as Plumb can tell.
    public func checkIntegrity() async throws {
        do {
            _ = try await value("SELECT 1", as: Int32.self)
        } catch {
            throw StoreIntegrityError(location: location, problem: "\(error)")
        }
    }

    public func prune(before cutoff: Date, keeping: Set<Int64>) async throws -> PruneOutcome {
        let (client, logger) = (self.client, self.logger)
        let at = cutoff.timeIntervalSince1970
        let kept = Array(keeping)
        return try await within {
            try await client.withTransaction(logger: logger) { connection in
                var outcome = PruneOutcome()
                // Journal and timings go with their run (ON DELETE CASCADE).
                let runs = try await connection.query(
                    """
                    DELETE FROM runs WHERE started_at < \(at) AND status <> 'running' AND id <> ALL(\(kept))
                      AND id NOT IN (SELECT MAX(id) FROM runs GROUP BY stack)
                      AND id NOT IN (SELECT MAX(id) FROM runs WHERE status = 'succeeded' GROUP BY stack)
                    RETURNING id
                    """, logger: logger)
                for try await _ in runs.decode(Int64.self) { outcome.runs += 1 }
                let drift = try await connection.query(
                    """
                    DELETE FROM drift_reports WHERE at < \(at)
                      AND id NOT IN (SELECT MAX(id) FROM drift_reports GROUP BY stack)
                    RETURNING id
                    """, logger: logger)
                for try await _ in drift.decode(Int64.self) { outcome.driftReports += 1 }
                let plans = try await connection.query(
                    """
                    DELETE FROM review_plans WHERE at < \(at) AND id NOT IN (
                        SELECT DISTINCT ON (stack) id FROM review_plans WHERE id LIKE 'held-%' ORDER BY stack, at DESC)
                    RETURNING id
                    """, logger: logger)
                for try await _ in plans.decode(String.self) { outcome.reviewPlans += 1 }
                let commits = try await connection.query("SELECT DISTINCT commit_id FROM runs WHERE commit_id IS NOT NULL", logger: logger)
                for try await commit in commits.decode(String.self) { outcome.remainingCommits.insert(commit) }
                return outcome
            }
        }
    }
}
