import Foundation
import Logging
import PlumbStore
import PostgresNIO

/// Leases on a shared PostgreSQL store. A lease is a session-level advisory lock
/// (`pg_try_advisory_lock` on a key derived from the stack's name) held on the agent's
/// lease session: one connection of its own, whatever the number of stacks (PostgreSQL
/// allows 100 connections by default; one per stack would not scale). The locks live
/// exactly as long as that connection. When the agent dies, its kernel closes the socket
/// and PostgreSQL drops every lock at once. When the network between them dies, TCP
/// keepalives set on the session (10 s idle, 3 probes 2 s apart) make the server drop them
/// after at least 16 s; the holder stops trusting a lease it has not confirmed for
/// `PostgresLease.validity` (10 s) before that, and stops at the next chunk boundary.
struct PostgresCoordinator: StackCoordinator {
    let store: PostgresLocation
    let client: PostgresClient
    let session: LeaseSession
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
        let key = AdvisoryKey.stack(stack)
        guard let generation = try await session.lock(key) else { return nil }
        let lease = PostgresLease(stack: stack, agent: agent, key: key, generation: generation, session: session)
        guard await lease.renew() else {
            await session.unlock(key, generation: generation)
            return nil
        }
        return lease
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

/// The connection an agent's advisory locks live on. Each (re)connection starts a new
/// generation: leases of an older one are lost, since their locks went with it.
final class LeaseSession: @unchecked Sendable {
    private let store: PostgresLocation
    private let logger: Logger
    private let timeout: Double
    private let lock = NSLock()
    private var connection: PostgresConnection?
    private var generation = 0
    private var held: Set<Int64> = []

    init(store: PostgresLocation, logger: Logger, timeout: Double) {
        self.store = store
        self.logger = logger
        self.timeout = timeout
    }

    deinit {
        if let connection {
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        }
    }

    /// Whether the locks of `generation` are still held: same connection, still open.
    func isAlive(_ generation: Int) -> Bool {
        lock.withLock {
            guard self.generation == generation, let connection = self.connection else { return false }
            return !connection.isClosed
        }
    }

    func holds(_ key: Int64, generation: Int) -> Bool {
        lock.withLock { self.generation == generation && held.contains(key) } && isAlive(generation)
    }

    /// The lock of `key`, or nil when another session (or a lease of ours) holds it.
    func lock(_ key: Int64) async throws -> Int? {
        let (connection, generation) = try await open()
        if lock.withLock({ held.contains(key) }) { return nil }
        let granted = try await run(connection, generation) { connection, logger in
            for try await granted in try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger).decode(Bool.self) {
                return granted
            }
            return false
        }
        guard granted else { return nil }
        let current = lock.withLock {
            guard self.generation == generation else { return false }
            held.insert(key)
            return true
        }
        return current ? generation : nil
    }

    func unlock(_ key: Int64, generation: Int) async {
        guard holds(key, generation: generation), let connection = lock.withLock({ connection }) else { return }
        lock.withLock { _ = held.remove(key) }
        _ = try? await run(connection, generation) { connection, logger in
            _ = try await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
        }
    }

    /// A statement on the session, within the deadline; a failure closes the session, so
    /// every lease of this generation is lost rather than doubtful.
    func run<T: Sendable>(
        _ connection: PostgresConnection, _ generation: Int,
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        do {
            return try await Deadline.run(seconds: timeout, target: store) { try await body(connection, logger) }
        } catch {
            lose(generation)
            throw error
        }
    }

    /// The session's statement for one lease: nil when the session is gone.
    func current(_ generation: Int) -> PostgresConnection? {
        lock.withLock { self.generation == generation ? connection : nil }
    }

    private func lose(_ generation: Int) {
        let dropped: PostgresConnection? = lock.withLock {
            guard self.generation == generation, let connection else { return nil }
            self.connection = nil
            held = []
            return connection
        }
        if let dropped { dropped.close().whenComplete { _ in withExtendedLifetime(dropped) {} } }
    }

    /// The open session, connecting (a new generation) when there is none.
    private func open() async throws -> (PostgresConnection, Int) {
        let existing: (PostgresConnection, Int)? = lock.withLock {
            guard let connection = self.connection else { return nil }
            return (connection, generation)
        }
        if let existing, !existing.0.isClosed { return existing }
        let (store, logger, timeout) = (self.store, self.logger, self.timeout)
        let connection = try await Deadline.run(seconds: timeout, target: store) {
            let connection = try await PostgresConnection.connect(
                configuration: PostgresConnection.Configuration(
                    host: store.host, port: store.port, username: store.user, password: store.password,
                    database: store.database, tls: try store.tls),
                id: 1, logger: logger)
            do {
                for setting in ["tcp_keepalives_idle = 10", "tcp_keepalives_interval = 2", "tcp_keepalives_count = 3"] {
                    try await connection.query("SET \(unescaped: setting)", logger: logger)
                }
                return connection
            } catch {
                try? await connection.close().get()
                throw error
            }
        }
        return lock.withLock {
            if let stale = self.connection {
                stale.close().whenComplete { _ in withExtendedLifetime(stale) {} }
            }
            self.connection = connection
            generation += 1
            held = []
            return (connection, generation)
        }
    }
}

/// One held stack: its advisory lock on the agent's lease session.
final class PostgresLease: StackLease, @unchecked Sendable {
    let stack: String
    let agent: String
    let key: Int64
    let generation: Int
    private let session: LeaseSession
    private let lock = NSLock()
    private var ended = false
    private var confirmed = ContinuousClock.now

    /// How long a confirmation is trusted: shorter than the server's own bound for freeing
    /// the lock of a vanished session (keepalives: at least 16 s), so a holder cut off from
    /// the database stops before another agent can start.
    static var validity: Duration { PostgresStateStore.leaseValidity }

    init(stack: String, agent: String, key: Int64, generation: Int, session: LeaseSession) {
        self.stack = stack
        self.agent = agent
        self.key = key
        self.generation = generation
        self.session = session
    }

    var isHeld: Bool {
        let fresh = lock.withLock { !ended && ContinuousClock.now - confirmed < Self.validity }
        return fresh && session.holds(key, generation: generation)
    }

    /// Records the renewal where people can see it (`stack_leases`); the round trip on the
    /// session is what proves the lock is still there.
    func renew() async -> Bool {
        // Not `isHeld`: a lease past its validity is still renewed if its lock is there.
        guard !lock.withLock({ ended }), session.holds(key, generation: generation),
            let connection = session.current(generation)
        else { return false }
        let (stack, agent) = (self.stack, self.agent)
        // Trusted from when the question was sent, not from when the answer came.
        let asked = ContinuousClock.now
        do {
            try await session.run(connection, generation) { connection, logger in
                _ = try await connection.query(
                    """
                    INSERT INTO stack_leases (stack, agent, since, renewed_at)
                    VALUES (\(stack), \(agent), extract(epoch FROM now()), extract(epoch FROM now()))
                    ON CONFLICT (stack) DO UPDATE SET renewed_at = excluded.renewed_at, agent = excluded.agent,
                        since = CASE WHEN stack_leases.agent = excluded.agent THEN stack_leases.since ELSE excluded.since END
                    """, logger: logger)
            }
            lock.withLock { confirmed = asked }
            return isHeld
        } catch {
            lock.withLock { ended = true }
            return false
        }
    }

    func release() async {
        lock.withLock { ended = true }
        // Whatever its freshness: a lock still on a live session must be given back.
        guard session.holds(key, generation: generation), let connection = session.current(generation) else { return }
        let (stack, agent) = (self.stack, self.agent)
        _ = try? await session.run(connection, generation) { connection, logger in
            _ = try await connection.query("DELETE FROM stack_leases WHERE stack = \(stack) AND agent = \(agent)", logger: logger)
        }
        await session.unlock(key, generation: generation)
    }
}
