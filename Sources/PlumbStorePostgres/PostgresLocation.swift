import Foundation
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=…` URL, read the way libpq reads
/// it: the password may come from `PGPASSWORD` instead, the user defaults to `PGUSER` or
/// `postgres`, the database to the user's name, the port to 5432. `sslmode=disable` talks
/// plain text; `require`, `verify-ca` and `verify-full` insist on TLS; anything else
/// (`prefer`, the default) uses TLS when the server offers it. When TLS is used the
/// certificate is always verified.
public struct PostgresLocation: Sendable, CustomStringConvertible, CustomReflectable {
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

    /// `dump` and `String(reflecting:)` show where, never the password.
    public var customMirror: Mirror { Mirror(self, children: ["location": description, "sslmode": sslMode]) }

    /// nil: no TLS; true: TLS or nothing; false: TLS when the server offers it.
    var tlsRequired: Bool? {
        switch sslMode {
        case "disable": return nil
        case "require", "verify-ca", "verify-full": return true
        default: return false
        }
    }

    var tls: PostgresConnection.Configuration.TLS {
        get throws {
            guard let required = tlsRequired else { return .disable }
            let context = try NIOSSLContext(configuration: .makeClientConfiguration())
            return required ? .require(context) : .prefer(context)
        }
    }

    var clientTLS: PostgresClient.Configuration.TLS {
        guard let required = tlsRequired else { return .disable }
        return required ? .require(.makeClientConfiguration()) : .prefer(.makeClientConfiguration())
    }

    /// The URL with anything between `://` and the last `@` of the authority replaced: the
    /// user and password, however unusual their characters (a URL that does not parse
    /// still never reaches a message with its password).
    static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url.contains("@") ? "…" : url }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        guard let at = authority.lastIndex(of: "@") else {
            // No `@` in the authority: an `@` later on means the URL is too broken to tell.
            return rest.contains("@") ? String(url[..<scheme.upperBound]) + "…" : url
        }
        return String(url[..<scheme.upperBound]) + "…" + String(url[at...])
    }
}
