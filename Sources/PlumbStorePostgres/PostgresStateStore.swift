import Foundation
import Logging
import PlumbCore
import PlumbStore
import PostgresNIO

/// The shared store: Plumb's history on a PostgreSQL server that agents on several machines
/// use at once. Queries go through postgres-nio's connection pool; the stack leases live on
/// one more connection of their own, the lease session (see `PostgresCoordinator`). Every statement has a deadline, so an
/// unreachable server fails a run instead of hanging it.
public final class PostgresStateStore: StateStore {
    let client: PostgresClient
    let target: PostgresLocation
    let logger: Logger
    /// Recorded with every run this process starts.
    let agent: String?
    let priors = PriorCache()
    /// How long one statement may wait for a connection and its answer.
    let timeout: Double
    private let runner: Task<Void, Never>
    /// How long a lease is trusted after its last confirmation (see `PostgresLease`).
    public static let leaseValidity: Duration = .seconds(10)
    /// Where this store's leases live: one connection for all of them.
    let leases: LeaseSession

    public var location: String { target.description }
    public var coordinator: any StackCoordinator {
        PostgresCoordinator(store: target, client: client, session: leases, logger: logger, timeout: timeout)
    }

    /// Connects and migrates; throws when the server cannot be reached within `timeout`.
    /// `environment` supplies `PGPASSWORD`, `PGUSER` and `PGSSLROOTCERT` (see `PostgresLocation`).
    public init(
        url: String, agent: String? = nil, timeout: Double = 5, logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws {
        target = try PostgresLocation(url: url, environment: environment)
        self.agent = agent
        self.timeout = timeout
        self.logger = logger
        var configuration = PostgresClient.Configuration(
            host: target.host, port: target.port, username: target.user, password: target.password,
            database: target.database, tls: target.clientTLS)
        configuration.options.connectTimeout = .seconds(Int64(max(1, timeout)))
        configuration.options.maximumConnections = 8
        // The pool logs every failed reconnect at info; while the database is down that is
        // noise beside the agent's own one-line "the store does not answer".
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        try await Self.probe(target, timeout: timeout, logger: background)
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        self.client = client
        leases = LeaseSession(store: target, logger: background, timeout: timeout)
        runner = Task { await client.run() }
        do {
            // Another agent may be migrating: its lock is waited for, within a longer deadline.
            try await Deadline.run(seconds: max(timeout, 30), target: target) { try await PostgresSchema.migrate(client, logger: logger) }
        } catch {
            runner.cancel()
            throw error
        }
    }

    deinit {
        runner.cancel()
    }

    /// One connection before the pool: a server that answers but will not do (no TLS where
    /// TLS is needed, a certificate that does not verify, a refused login) fails the start at
    /// once with its reason, where the pool would retry until the deadline. A server not
    /// answering yet is left to the pool and its deadline, as before.
    static func probe(_ target: PostgresLocation, timeout: Double, logger: Logger) async throws {
        var configuration = PostgresConnection.Configuration(
            host: target.host, port: target.port, username: target.user, password: target.password,
            database: target.database, tls: try target.tls)
        configuration.options.connectTimeout = .seconds(Int64(max(1, timeout)))
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try? await connection.close().get()
        } catch let error as PSQLError
            where error.code == .sslUnsupported || error.underlying is NIOSSLError
            || error.serverInfo?[.sqlState]?.hasPrefix("28") == true  // invalid authorization
        {
            throw PostgresStoreError(target, error)
        } catch {
            return
        }
    }

    /// Runs `body` against the store with the statement deadline; any failure becomes a
    /// `PostgresStoreError` that names the store and what went wrong.
    func within<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Deadline.run(seconds: timeout, target: target, body)
    }

    public func beginRun(stack: String, command: String, origin: RunOrigin, source: PlanSource, commit: CommitInfo?) async throws -> Int64 {
        let sourceText = try JSONOutput.encode(source)
        let (client, logger, agent) = (self.client, self.logger, self.agent)
        return try await within {
            let rows = try await client.query(
                """
                INSERT INTO runs (stack, command, status, started_at, pid, commit_id, commit_author, commit_subject, source, agent,
                                  kind, triggered_by)
                VALUES (\(stack), \(command), 'running', \(Date().timeIntervalSince1970), \(Int32(getpid())), \(commit?.id),
                        \(commit?.author), \(commit?.subject), \(sourceText), \(agent), \(origin.kind.rawValue), \(origin.trigger.rawValue))
                RETURNING id
                """, logger: logger)
            for try await id in rows.decode(Int64.self) { return id }
            throw PostgresStoreError(self.target, PostgresNoRow())
        }
    }

    public func finishRun(_ id: Int64, status: RunRecord.Status, text: FinishedRunText, error: String?) async throws {
        let (client, logger) = (self.client, self.logger)
        try await within {
            _ = try await client.query(
                """
                UPDATE runs SET status = \(status.rawValue), finished_at = \(Date().timeIntervalSince1970), plan = \(text.plan),
                    summary = \(text.summary), result = \(text.result), error = \(error), checks = \(text.checks),
                    diagnostics = \(text.diagnostics), note = \(text.note)
                WHERE id = \(id)
                """, logger: logger)
        }
    }

    public func recorder(run: Int64) -> any RunRecorder {
        PostgresRecorder(store: self, run: run)
    }

    public func recoverInterrupted(stack: String) async throws -> [InterruptedRun] {
        let (client, logger) = (self.client, self.logger)
        return try await within {
            try await client.withTransaction(logger: logger) { connection in
                var ids: [Int64] = []
                let found = try await connection.query(
                    "SELECT id FROM runs WHERE stack = \(stack) AND status = 'running' FOR UPDATE", logger: logger)
                for try await id in found.decode(Int64.self) { ids.append(id) }
                var runs: [InterruptedRun] = []
                for id in ids {
                    var journal: [(address: String, phase: String, detail: String?)] = []
                    let rows = try await connection.query(
                        "SELECT address, phase, detail FROM journal WHERE run_id = \(id) ORDER BY seq", logger: logger)
                    for try await (address, phase, detail) in rows.decode((String, String, String?).self) {
                        journal.append((address, phase, detail))
                    }
                    let run = InterruptedRun.make(id: id, journal: journal)
                    try await connection.query(
                        """
                        UPDATE runs SET status = 'interrupted', finished_at = \(Date().timeIntervalSince1970),
                            error = \(InterruptedRun.message(pending: run.pending.count))
                        WHERE id = \(id)
                        """, logger: logger)
                    runs.append(run)
                }
                return runs
            }
        }
    }

    public func prior(stack: String) async throws -> PriorState {
        let text = try await value("SELECT prior FROM stacks WHERE stack = \(stack)", as: String.self)
        guard let text else { return PriorState() }
        return try priors.prior(stack: stack, text: text)
    }

    public func savePrior(_ prior: PriorState, stack: String, commit: String?) async throws {
        let text = try JSONOutput.encode(prior)
        try await execute(
            """
            INSERT INTO stacks (stack, prior, last_commit, updated_at) VALUES (\(stack), \(text), \(commit), \(Date().timeIntervalSince1970))
            ON CONFLICT (stack) DO UPDATE SET prior = excluded.prior,
                last_commit = COALESCE(excluded.last_commit, stacks.last_commit), updated_at = excluded.updated_at
            """)
        priors.remember(stack: stack, text: text, prior: prior)
    }

    public func markApplied(_ commit: String, stack: String) async throws {
        let empty = try JSONOutput.encode(PriorState())
        try await execute(
            """
            INSERT INTO stacks (stack, prior, last_commit, updated_at) VALUES (\(stack), \(empty), \(commit), \(Date().timeIntervalSince1970))
            ON CONFLICT (stack) DO UPDATE SET last_commit = excluded.last_commit, updated_at = excluded.updated_at
            """)
    }

    public func latestWritingRun(stack: String) async throws -> LatestRun? {
        let (client, logger) = (self.client, self.logger)
        return try await within {
            let query: PostgresQuery = """
                SELECT id, status, commit_id FROM runs WHERE stack = \(stack) AND COALESCE(kind, 'apply') IN ('apply', 'heal')
                    AND status NOT IN ('invalid', 'refused') ORDER BY id DESC LIMIT 1
                """
            for try await (id, status, commit) in try await client.query(query, logger: logger).decode((Int64, String, String?).self) {
                return RunRecord.Status(rawValue: status).map { LatestRun(id: id, status: $0, commit: commit) }
            }
            return nil
        }
    }

    public func lastAppliedCommit(stack: String) async throws -> String? {
        try await value("SELECT last_commit FROM stacks WHERE stack = \(stack) AND last_commit IS NOT NULL", as: String.self)
    }

    /// One statement whose rows do not matter.
    func execute(_ query: PostgresQuery) async throws {
        let (client, logger) = (self.client, self.logger)
        try await within { _ = try await client.query(query, logger: logger) }
    }

    /// The first column of the first row, or nil when there is no row.
    func value<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type) async throws -> T? {
        let (client, logger) = (self.client, self.logger)
        return try await within {
            for try await value in try await client.query(query, logger: logger).decode(T.self) { return value }
            return nil
        }
    }
}

struct PostgresNoRow: Error, CustomStringConvertible {
    var description: String { "the statement returned no row" }
}

/// A deadline for one store operation. The operation runs in a task of its own and the
/// caller is answered by whichever comes first, the operation or the deadline: postgres-nio
/// awaits a query without a cancellation handler, so a task group (which waits for every
/// child) would hang as long as a frozen server does. A timed-out operation is cancelled
/// and left to fail on its own (callers holding a connection close it).
enum Deadline {
    static func run<T: Sendable>(
        seconds: Double, target: PostgresLocation, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let answer = FirstAnswer<T>()
        let work = Task {
            do {
                answer.give(.success(try await body()))
            } catch let error as PostgresStoreError {
                answer.give(.failure(error))
            } catch is CancellationError {
                answer.give(.failure(CancellationError()))
            } catch {
                answer.give(.failure(PostgresStoreError(target, error)))
            }
        }
        let timer = Task {
            try? await Task.sleep(for: .seconds(seconds))
            answer.give(.failure(PostgresStoreError(target, timeout: seconds)))
        }
        defer {
            work.cancel()
            timer.cancel()
        }
        return try await withTaskCancellationHandler {
            try await answer.value()
        } onCancel: {
            answer.give(.failure(CancellationError()))
        }
    }
}

/// The first of several answers, handed to one waiter.
final class FirstAnswer<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, any Error>?
    private var waiter: CheckedContinuation<T, any Error>?

    func give(_ answer: Result<T, any Error>) {
        let waiting: CheckedContinuation<T, any Error>? = lock.withLock {
            guard result == nil else { return nil }
            result = answer
            defer { waiter = nil }
            return waiter
        }
        waiting?.resume(with: answer)
    }

    func value() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<T, any Error>? = lock.withLock {
                if let result { return result }
                waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
