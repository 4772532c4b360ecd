import Foundation
import Glibc

/// A private PostgreSQL cluster started for one test through `scripts/servers/postgres`
/// (127.0.0.1 only, a free port, trust authentication, a temp directory). The database
/// `plumb` belongs to the role `plumb`, which may create tables but is no superuser.
/// A server that cannot start is a test failure, never a skip.
public final class PostgresServer: @unchecked Sendable {
    /// `postgres://plumb@127.0.0.1:PORT/plumb?sslmode=disable`; the same after `restart()`.
    public let url: String
    public let port: Int
    let directory: String

    public typealias StartFailure = PowerDNSServer.StartFailure

    public struct QueryFailure: Error, CustomStringConvertible {
        public var sql: String
        public var status: Int32
        public var stderr: String
        public var description: String { "psql -c \(sql) exited with \(status): \(stderr)" }
    }

    static var script: String { PowerDNSServer.projectRoot.appendingPathComponent("scripts/servers/postgres").path }

    static let install = "install the Debian package postgresql (scripts/install-deps --test)"

    /// `tls`: a certificate and key (PEM files) with which the server also accepts TLS.
    /// One start at a time: the store tests start twenty servers at once, and twenty
    /// `initdb`s together on two cores starved the first migrations past their 30 s
    /// deadline (seen in CI). Started one after another, each runs while the next starts.
    private static let starting = NSLock()

    public init(tls: (certificate: String, key: String)? = nil) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("postgres-\(UUID().uuidString.prefix(8))").path
        self.directory = directory
        do {
            (url, port) = try Self.starting.withLock {
                try Self.call("start", directory, extra: tls.map { ["--tls", $0.certificate, $0.key] } ?? [])
            }
        } catch {
            _ = try? PowerDNSServer.run([Self.script, "stop", directory])
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Runs `start` or `restart` and reads its JSON line.
    private static func call(_ command: String, _ directory: String, extra: [String] = []) throws -> (String, Int) {
        let (status, output) = try PowerDNSServer.run([script, command, directory] + extra)
        guard status == 0, let data = output.split(separator: "\n").last.map({ Data($0.utf8) }),
            let info = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let url = info["url"] as? String, let port = info["port"] as? Int
        else {
            throw StartFailure(description: "could not \(command) PostgreSQL (scripts/servers/postgres \(command); \(install)): \(output)")
        }
        return (url, port)
    }

    /// Stops the server at once (an immediate shutdown), as a crash would; the data stays.
    public func kill() throws {
        let (status, output) = try PowerDNSServer.run([Self.script, "kill", directory])
        guard status == 0 else { throw StartFailure(description: "could not kill PostgreSQL: \(output)") }
    }

    /// Freezes the server and every backend (SIGSTOP): connections stay open and nothing
    /// answers, as when the database host hangs or the network drops packets silently.
    public func freeze() throws { try signalCluster(SIGSTOP) }

    /// Lets a frozen server go on (SIGCONT).
    public func thaw() throws { try signalCluster(SIGCONT) }

    private func signalCluster(_ signal: Int32) throws {
        let pidFile = (directory as NSString).appendingPathComponent("data/postmaster.pid")
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let postmaster = text.split(separator: "\n").first.flatMap({ Int32($0) })
        else { throw StartFailure(description: "no postmaster.pid in \(directory)") }
        var pids = [postmaster]
        // Its children: every process whose parent it is (/proc/PID/stat, fourth field).
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == postmaster { pids.append(pid) }
        }
        for pid in pids { _ = Glibc.kill(pid, signal) }
    }

    /// Starts the same cluster again, on the same port (so `url` still holds).
    public func restart() throws {
        let (_, port) = try Self.call("restart", directory)
        guard port == self.port else { throw StartFailure(description: "PostgreSQL came back on port \(port), not \(self.port)") }
    }

    deinit {
        _ = try? PowerDNSServer.run([Self.script, "stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// psql from the newest /usr/lib/postgresql/VERSION/bin (the one the script uses), else from PATH.
    static let psqlPath: String = {
        let base = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).compactMap { Int($0) }
        for version in versions.sorted(by: >) where FileManager.default.isExecutableFile(atPath: "\(base)/\(version)/bin/psql") {
            return "\(base)/\(version)/bin/psql"
        }
        return "psql"
    }()

    /// Runs SQL as `plumb` in `plumb` (psql -At: unaligned rows, `|` between columns, no
    /// headers; -q: no command tags) and returns standard output less its trailing newline,
    /// so tests can look at tables behind Plumb's back. Throws `QueryFailure` on any error.
    @discardableResult
    public func psql(_ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            Self.psqlPath, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
            "-h", "127.0.0.1", "-p", String(port), "-U", "plumb", "plumb", "-c", sql,
        ]
        // A developer's PG* settings (PGHOST, PGSERVICE, ...) must not steer it elsewhere.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        environment["PGCONNECT_TIMEOUT"] = "5"
        process.environment = environment
        let (status, stdout, stderr) = try runCaptured(process, scratch: FileManager.default.temporaryDirectory.path)
        guard status == 0 else { throw QueryFailure(sql: sql, status: status, stderr: stderr) }
        var output = stdout
        while output.hasSuffix("\n") { output.removeLast() }
        return output
    }
}
