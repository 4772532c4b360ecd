import Foundation
import GRDB

extension SQLiteStateStore {
    public func checkIntegrity() async throws {
        let (path, location) = (self.path, self.location)
        // A fresh read-only connection: the pool's connections may hold the damaged page in
        // their caches, still valid in SQLite's eyes because the file's header did not change.
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            let found = try await queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(5)") }
            guard found == ["ok"] else {
                throw StoreIntegrityError(location: location, problem: found.joined(separator: "; "))
            }
        } catch let error as StoreIntegrityError {
            throw error
        } catch {
            throw StoreIntegrityError(location: location, problem: "\(error)")
        }
    }

    public func prune(before cutoff: Date, keeping: Set<Int64>) async throws -> PruneOutcome {
        let at = cutoff.timeIntervalSince1970
        return try await database.write { db in
            var outcome = PruneOutcome()
            var kept = keeping
            kept.formUnion(try Int64.fetchAll(db, sql: "SELECT MAX(id) FROM runs GROUP BY stack"))
            kept.formUnion(try Int64.fetchAll(db, sql: "SELECT MAX(id) FROM runs WHERE status = 'succeeded' GROUP BY stack"))
            let doomed = try Int64.fetchAll(
                db, sql: "SELECT id FROM runs WHERE started_at < ? AND status != 'running'", arguments: [at]
            ).filter { !kept.contains($0) }
            for id in doomed {
                try db.execute(sql: "DELETE FROM journal WHERE run_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM timings WHERE run_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [id])
            }
            outcome.runs = doomed.count
            try db.execute(
                sql: "DELETE FROM drift_reports WHERE at < ? AND id NOT IN (SELECT MAX(id) FROM drift_reports GROUP BY stack)",
                arguments: [at])
            outcome.driftReports = db.changesCount
            let holds = try String.fetchAll(
                db,
                sql: """
                    SELECT id FROM review_plans r WHERE id LIKE 'held-%'
                      AND at = (SELECT MAX(at) FROM review_plans WHERE stack = r.stack AND id LIKE 'held-%')
                    """)
            let plans = try String.fetchAll(db, sql: "SELECT id FROM review_plans WHERE at < ?", arguments: [at])
                .filter { !holds.contains($0) }
            for id in plans { try db.execute(sql: "DELETE FROM review_plans WHERE id = ?", arguments: [id]) }
            outcome.reviewPlans = plans.count
            outcome.remainingCommits = Set(try String.fetchAll(db, sql: "SELECT DISTINCT commit_id FROM runs WHERE commit_id IS NOT NULL"))
            return outcome
        }
    }
}
