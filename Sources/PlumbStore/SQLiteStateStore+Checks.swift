import Foundation
import GRDB
import PlumbCore

extension SQLiteStateStore {
    public func failedChecks(stack: String) async throws -> FailedChecks? {
        try await database.read { db in
            try String.fetchOne(db, sql: "SELECT record FROM failed_checks WHERE stack = ?", arguments: [stack])
                .map { try FailedChecks.decode(json: $0) }
        }
    }

    public func saveFailedChecks(_ record: FailedChecks?, stack: String) async throws {
        let text = try record.map { try JSONOutput.encode($0) }
        try await database.write { db in
            guard let record, let text else {
                try db.execute(sql: "DELETE FROM failed_checks WHERE stack = ?", arguments: [stack])
                return
            }
            try db.execute(
                sql: """
                    INSERT INTO failed_checks (stack, run_id, last_run_id, record) VALUES (?, ?, ?, ?)
                    ON CONFLICT(stack) DO UPDATE SET run_id = excluded.run_id, last_run_id = excluded.last_run_id,
                        record = excluded.record
                    """,
                arguments: [stack, record.run, record.lastRun, text])
        }
    }

    public func runsToKeep() async throws -> Set<Int64> {
        try await database.read { db in
            Set(
                try Row.fetchAll(db, sql: "SELECT run_id, last_run_id FROM failed_checks").flatMap {
                    [$0["run_id"] as Int64, $0["last_run_id"] as Int64]
                })
        }
    }
}

extension FailedChecks {
    /// Decodes what `JSONOutput.encode` stored (dates as ISO 8601).
    package static func decode(json text: String) throws -> FailedChecks {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(FailedChecks.self, from: Data(text.utf8))
    }
}
