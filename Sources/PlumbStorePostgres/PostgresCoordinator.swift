import Foundation
import Logging
import PlumbStore
import PostgresNIO

/// Leases on a shared PostgreSQL store. A lease is a session-level advisory lock
/// (`pg_try_advisory_lock` on a key derived from the stack's name) held on a connection
/// of its own: it lives exactly as long as that connection. When the holder dies, its
/// kernel closes the socket and PostgreSQL drops the lock at once; when the network
/// between them dies, TCP keepalives set on the session (5 s idle, 3 probes 2 s apart)
/// make the server drop it within about 11 s, while the holder's own renewals fail and it
/// stops at the next chunk boundary.
struct PostgresCoordinator: StackCoordinator {
    let store: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    let timeout: Double

    func heartbeat(agent: AgentPresence, within seconds: Double) async throws -> Int {
        let (client, logger) = (self.client, self.logger)
        let stacks = agent.stacks.joined(separator: ",")
        return try await Deadline.run(seconds: timeout, target: store) {
            // The server's clock, so agents whose clocks disagree still agree who is alive.
            try await client.query(
                """
                INSERT INTO agents (id, host, pid, stacks, started_at, seen_at)
                VALUES (\(agent.id), \(agent.host), \(agent.pid), \(stacks), extract(epoch FROM now()), extract(epoch FROM now()))
                ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, stacks = excluded.stacks,
                    seen_at = excluded.seen_at
                """, logger: logger)
            let rows = try await client.query(
                "SELECT count(*) FROM agents WHERE seen_at > extract(epoch FROM now()) - \(seconds)", logger: logger)
            for try await count in rows.decode(Int64.self) { return max(1, Int(count)) }
            return 1
        }
    }

    func tryLease(stack: String, agent: String) async throws -> (any StackLease)? {
        let (store, logger) = (self.store, self.logger)
        let key = AdvisoryKey.stack(stack)
        let connection = try await Deadline.run(seconds: timeout, target: store) {
            try await PostgresConnection.connect(
                configuration: PostgresConnection.Configuration(
                    host: store.host, port: store.port, username: store.user, password: store.password,
                    database: store.database, tls: try store.tls),
                id: Int(truncatingIfNeeded: key), logger: logger)
        }
        do {
            let granted = try await Deadline.run(seconds: timeout, target: store) { () -> Bool in
                for setting in ["tcp_keepalives_idle = 5", "tcp_keepalives_interval = 2", "tcp_keepalives_count = 3"] {
                    try await connection.query("SET \(unescaped: setting)", logger: logger)
                }
                for try await granted in try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger)
                    .decode(Bool.self)
                {
                    return granted
                }
                return false
            }
            guard granted else {
                try? await connection.close().get()
                return nil
            }
            let lease = PostgresLease(stack: stack, agent: agent, key: key, connection: connection, store: store, logger: logger, timeout: timeout)
            guard await lease.renew() else { return nil }
            return lease
        } catch {
            try? await connection.close().get()
            throw error
        }
    }

    func holders(within seconds: Double) async throws -> [String: String] {
        let (client, logger) = (self.client, self.logger)
        return try await Deadline.run(seconds: timeout, target: store) {
            var holders: [String: String] = [:]
            let rows = try await client.query(
                "SELECT stack, agent FROM stack_leases WHERE renewed_at > extract(epoch FROM now()) - \(seconds)", logger: logger)
            for try await (stack, agent) in rows.decode((String, String).self) { holders[stack] = agent }
            return holders
        }
    }
}

/// One held stack: its advisory lock and the connection that holds it.
final class PostgresLease: StackLease, @unchecked Sendable {
    let stack: String
    let agent: String
    let key: Int64
    private let connection: PostgresConnection
    private let store: PostgresLocation
    private let logger: Logger
    private let timeout: Double
    private let lock = NSLock()
    private var ended = false

    init(stack: String, agent: String, key: Int64, connection: PostgresConnection, store: PostgresLocation, logger: Logger, timeout: Double) {
        self.stack = stack
        self.agent = agent
        self.key = key
        self.connection = connection
        self.store = store
        self.logger = logger
        self.timeout = timeout
    }

    /// A lease dropped without `release()` still closes its connection (and so frees the
    /// lock); the close keeps the connection alive until it is done.
    deinit {
        let connection = self.connection
        connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    var isHeld: Bool {
        lock.withLock { !ended } && !connection.isClosed
    }

    /// Records the renewal where people can see it (`stack_leases`); the round trip is what
    /// proves the connection, and with it the lock, is still there.
    func renew() async -> Bool {
        guard isHeld else { return false }
        let (connection, logger, stack, agent) = (self.connection, self.logger, self.stack, self.agent)
        do {
            try await Deadline.run(seconds: timeout, target: store) {
                _ = try await connection.query(
                    """
                    INSERT INTO stack_leases (stack, agent, since, renewed_at)
                    VALUES (\(stack), \(agent), extract(epoch FROM now()), extract(epoch FROM now()))
                    ON CONFLICT (stack) DO UPDATE SET renewed_at = excluded.renewed_at,
                        agent = excluded.agent,
                        since = CASE WHEN stack_leases.agent = excluded.agent THEN stack_leases.since ELSE excluded.since END
                    """, logger: logger)
            }
            return true
        } catch {
            logger.warning("lost the stack's lease", metadata: ["stack": "\(stack)", "error": "\(error)"])
            await end()
            return false
        }
    }

    func release() async {
        guard isHeld else { return await end() }
        let (connection, logger, stack, key) = (self.connection, self.logger, self.stack, self.key)
        _ = try? await Deadline.run(seconds: timeout, target: store) {
            try await connection.query("DELETE FROM stack_leases WHERE stack = \(stack) AND agent = \(self.agent)", logger: logger)
            try await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
        }
        await end()
    }

    private func end() async {
        lock.withLock { ended = true }
        try? await connection.close().get()
    }
}
