import Foundation
import PostgresNIO

/// The PostgreSQL store could not be reached or refused a statement. The message names the
/// store (never its password) and what PostgreSQL said.
public struct PostgresStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String

    init(_ location: PostgresLocation, _ error: any Error) {
        description = "the PostgreSQL store \(location) is unavailable: \(Self.reason(error))"
    }

    init(_ location: PostgresLocation, timeout seconds: Double) {
        description = "the PostgreSQL store \(location) did not answer within \(Int(seconds)) s"
    }

    /// PSQLError hides its details from `description` (they may hold query values); the
    /// server's message, the error code and the connection failure are safe to show.
    static func reason(_ error: any Error) -> String {
        if let store = error as? PostgresStoreError { return store.description }
        guard let error = error as? PSQLError else { return "\(error)" }
        if error.code == .sslUnsupported {
            return "the server offers no TLS; Plumb sends a password only over TLS unless the store URL says sslmode=disable"
        }
        if let message = error.serverInfo?[.message] {
            let code = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return message + code
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}
