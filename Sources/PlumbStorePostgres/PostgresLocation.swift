import Foundation
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=…` URL, read the way libpq reads
/// it: the password may come from `PGPASSWORD` instead, the user defaults to `PGUSER` or
/// `postgres`, the database to the user's name, the port to 5432. `sslmode=disable` talks
/// plain text; `require`, `verify-ca` and `verify-full` insist on TLS; anything else
/// (`prefer`, the default) uses TLS when the server offers it. When TLS is used the
/// certificate is always verified.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    var password: String?
    public var database: String
    public var sslMode: String

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
              scheme == "postgres" || scheme == "postgresql"
        else {
            throw Invalid(description: "--store \(Self.redacted(url)): not a postgres:// URL (postgres://USER@HOST:PORT/DATABASE)")
        }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        port = components.port ?? 5432
        user = components.percentEncodedUser?.removingPercentEncoding ?? environment["PGUSER"] ?? "postgres"
        password = components.percentEncodedPassword?.removingPercentEncoding ?? environment["PGPASSWORD"]
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? user : path
        sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(sslMode) else {
            throw Invalid(description: "--store: sslmode=\(sslMode) is not one of disable, prefer, require, verify-ca, verify-full")
        }
    }

    /// Where, without the password: safe for logs, /status and errors.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    var tls: PostgresConnection.Configuration.TLS {
        get throws {
            switch sslMode {
            case "disable": return .disable
            case "require", "verify-ca", "verify-full": return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            default: return .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        }
    }

    var clientTLS: PostgresClient.Configuration.TLS {
        switch sslMode {
        case "disable": return .disable
        case "require", "verify-ca", "verify-full": return .require(.makeClientConfiguration())
        default: return .prefer(.makeClientConfiguration())
        }
    }

    /// The URL with any password replaced, for messages about a URL that did not parse.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "…"
        return components.string ?? "postgres://…"
    }
}
