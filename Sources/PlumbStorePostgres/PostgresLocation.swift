import Foundation
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=…` URL, read the way libpq reads
/// it: the password may come from `PGPASSWORD` instead, the user defaults to `PGUSER` or
/// `postgres`, the database to the user's name, the port to 5432. `sslmode` as libpq reads it
/// (see `SSLMode`), with one rule more: a password is never sent over a connection without
/// TLS unless the URL says `sslmode=disable`.
public struct PostgresLocation: Sendable, CustomStringConvertible, CustomReflectable {
    public var host: String
    public var port: Int
    public var user: String
    var password: String?
    public var database: String
    public var sslMode: SSLMode
    /// `sslrootcert=` in the URL, else `PGSSLROOTCERT`; nil: the system's trust store.
    public var rootCertificate: String?

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
        let query = components.queryItems ?? []
        if let text = query.first(where: { $0.name == "sslmode" })?.value {
            guard let mode = SSLMode(rawValue: text) else {
                throw Invalid(description: "--store: sslmode=\(text) is not one of disable, allow, prefer, require, verify-ca, verify-full")
            }
            sslMode = mode
        } else {
            sslMode = SSLMode.default(host: host)
        }
        rootCertificate = query.first { $0.name == "sslrootcert" }?.value ?? environment["PGSSLROOTCERT"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Where, without the password: safe for logs, /status and errors.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// `dump` and `String(reflecting:)` show where, never the password.
    public var customMirror: Mirror { Mirror(self, children: ["location": description, "sslmode": sslMode.rawValue]) }

    /// nil: no TLS; true: TLS or nothing; false: TLS when the server offers it. `allow` and
    /// `prefer` insist on TLS when there is a password: postgres-nio answers a server that
    /// asks for a clear-text password with it, whatever the connection.
    var tlsRequired: Bool? {
        switch sslMode {
        case .disable: return nil
        case .require, .verifyCA, .verifyFull: return true
        case .allow, .prefer: return password != nil
        }
    }

    /// The TLS configuration `sslMode` asks for: `verify-full` checks the chain and the host
    /// name, `verify-ca` the chain only, the others (as libpq) nothing unless a root
    /// certificate is given, which makes `require` check the chain.
    var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let rootCertificate { configuration.trustRoots = .file(rootCertificate) }
        switch sslMode {
        case .verifyFull: configuration.certificateVerification = .fullVerification
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .require: configuration.certificateVerification = rootCertificate == nil ? .none : .noHostnameVerification
        case .disable, .allow, .prefer: configuration.certificateVerification = .none
        }
        return configuration
    }

    var tls: PostgresConnection.Configuration.TLS {
        get throws {
            guard let required = tlsRequired else { return .disable }
            let context = try NIOSSLContext(configuration: tlsConfiguration)
            return required ? .require(context) : .prefer(context)
        }
    }

    var clientTLS: PostgresClient.Configuration.TLS {
        guard let required = tlsRequired else { return .disable }
        return required ? .require(tlsConfiguration) : .prefer(tlsConfiguration)
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

/// libpq's `sslmode` values.
public enum SSLMode: String, Sendable, CaseIterable {
    case disable, allow, prefer, require
    case verifyCA = "verify-ca"
    case verifyFull = "verify-full"

    /// Without `sslmode`: `prefer` on the loopback interface, where no one sits between
    /// client and server, else `verify-full`.
    static func `default`(host: String) -> SSLMode {
        let loopback = host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
        return loopback ? .prefer : .verifyFull
    }
}
