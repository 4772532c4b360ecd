import Foundation
import PlumbCore
import PlumbStore
import PostgresNIO

extension PostgresStateStore {
    public func failedChecks(stack: String) async throws -> FailedChecks? {
        try await value("SELECT record FROM failed_checks WHERE stack = \(stack)", as: String.self)
            .map { try FailedChecks.decode(json: $0) }
    }

    public func saveFailedChecks(_ record: FailedChecks?, stack: String) async throws {
        guard let record else {
            try await execute("DELETE FROM failed_checks WHERE stack = \(stack)")
            return
        }
        let text = try JSONOutput.encode(record)
        try await execute(
            """
            INSERT INTO failed_checks (stack, run_id, last_run_id, record) VALUES (\(stack), \(record.run), \(record.lastRun), \(text))
            ON CONFLICT (stack) DO UPDATE SET run_id = excluded.run_id, last_run_id = excluded.last_run_id, record = excluded.record
            """)
    }

    public func runsToKeep() async throws -> Set<Int64> {
        let (client, logger) = (self.client, self.logger)
        return try await within {
            var ids: Set<Int64> = []
            for try await (first, last) in try await client.query("SELECT run_id, last_run_id FROM failed_checks", logger: logger)
                .decode((Int64, Int64).self)
            {
                ids.insert(first)
                ids.insert(last)
            }
            return ids
        }
    }
}
