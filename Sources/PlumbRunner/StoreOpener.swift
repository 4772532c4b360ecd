import Foundation
import Logging
import PlumbStore
import PlumbStorePostgres

/// `--store`: `sqlite:PATH`, `postgres://…`, or nothing (the SQLite file under `--state`).
public enum StoreOpener {
    public static func open(_ location: String?, stateDirectory: String, agent: String?, logger: Logger) async throws -> any StateStore {
        guard let location, !location.isEmpty else {
            return try sqlite(path: SQLiteStateStore.path(inDirectory: stateDirectory), agent: agent)
        }
        if location.hasPrefix("sqlite:") {
            let path = String(location.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw RunnerError(.invalidInput, message: "--store sqlite: needs a path, e.g. sqlite:.plumb/state.sqlite") }
            return try sqlite(path: path, agent: agent)
        }
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            do {
                return try await PostgresStateStore(url: location, agent: agent, logger: logger)
            } catch {
                throw RunnerError(.store, message: "\(error)")
            }
        }
        throw RunnerError(.invalidInput, message: "--store takes sqlite:PATH or postgres://USER@HOST:PORT/DATABASE")
    }

    static func sqlite(path: String, agent: String?) throws -> any StateStore {
        do {
            return try SQLiteStateStore(path: path, agent: agent)
        } catch {
            throw RunnerError(.store, message: "cannot open the store \(path): \(error)")
        }
    }
}
