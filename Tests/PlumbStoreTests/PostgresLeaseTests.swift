import Foundation
import Logging
import PlumbCore
import PlumbStore
import PlumbStorePostgres
import PlumbTestSupport
import Testing

/// The PostgreSQL store's leases and failure behaviour, against a private PostgreSQL.
@Suite("PostgreSQL store: leases, migrations and outages")
struct PostgresLeaseTests {
    func store(_ server: PostgresServer, agent: String) async throws -> PostgresStateStore {
        // A generous deadline: the suite runs beside every other test on two cores.
        try await PostgresStateStore(url: server.url, agent: agent, timeout: 15, logger: Logger(label: "test"))
    }

    @Test("a stack's lease is held by one agent at a time; released or lost, another takes it")
    func exclusive() async throws {
        let server = try PostgresServer()
        let a = try await store(server, agent: "a")
        let b = try await store(server, agent: "b")
        let held = try #require(try await a.coordinator.tryLease(stack: "alpha", agent: "a"))
        #expect(held.isHeld)
        #expect(try await b.coordinator.tryLease(stack: "alpha", agent: "b") == nil)
        // Another stack is independent.
        let beta = try #require(try await b.coordinator.tryLease(stack: "beta", agent: "b"))
        #expect(try await a.coordinator.holders(within: 60) == ["alpha": "a", "beta": "b"])

        await held.release()
        #expect(!held.isHeld)
        let taken = try #require(try await b.coordinator.tryLease(stack: "alpha", agent: "b"))
        #expect(try await a.coordinator.holders(within: 60)["alpha"] == "b")

        // The holder's connection is cut (as when its machine drops off the network): its
        // renewal fails, it knows it lost the lease, and the other agent can take it.
        _ = try server.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%stack_leases%' AND pid <> pg_backend_pid()")
        #expect(await taken.renew() == false)
        #expect(!taken.isHeld)
        let betaRenewed = await beta.renew()
        #expect(!betaRenewed && !beta.isHeld, "both lease connections were cut")
        let again = try #require(try await a.coordinator.tryLease(stack: "alpha", agent: "a"))
        #expect(await again.renew())
    }

    @Test("a lease past its validity is no longer trusted, but renewed or released, never leaked")
    func staleLease() async throws {
        let server = try PostgresServer()
        let a = try await store(server, agent: "a")
        let b = try await store(server, agent: "b")
        let lease = try #require(try await a.coordinator.tryLease(stack: "alpha", agent: "a"))
        try await Task.sleep(for: PostgresStateStore.leaseValidity + .milliseconds(500))
        #expect(!lease.isHeld, "unconfirmed for longer than its validity")
        #expect(try await b.coordinator.tryLease(stack: "alpha", agent: "b") == nil, "the lock is still a's")
        #expect(await lease.renew(), "the lock is still there: renewed")
        #expect(lease.isHeld)
        try await Task.sleep(for: PostgresStateStore.leaseValidity + .milliseconds(500))
        await lease.release()
        #expect(try await b.coordinator.tryLease(stack: "alpha", agent: "b") != nil, "a stale lease's lock goes back on release")
    }

    @Test("agents count one another by heartbeat, on the server's clock")
    func heartbeats() async throws {
        let server = try PostgresServer()
        let a = try await store(server, agent: "a")
        let b = try await store(server, agent: "b")
        #expect(try await a.coordinator.heartbeat(agent: AgentPresence(id: "a", stacks: ["alpha"]), within: 60) == 1)
        #expect(try await b.coordinator.heartbeat(agent: AgentPresence(id: "b", stacks: ["alpha"]), within: 60) == 2)
        _ = try server.psql("UPDATE agents SET seen_at = seen_at - 120 WHERE id = 'a'")
        #expect(try await b.coordinator.heartbeat(agent: AgentPresence(id: "b", stacks: ["alpha"]), within: 60) == 1)
    }

    @Test("a frozen database fails statements at their deadline instead of hanging; leases on it are given up", .timeLimit(.minutes(1)))
    func frozen() async throws {
        let server = try PostgresServer()
        // Opening the store (connect, migrate) is not what is measured: under a full parallel
        // test run on two cores it took longer than the 2 s deadline once, so it may try again.
        var opened: PostgresStateStore?
        for _ in 1...3 where opened == nil {
            opened = try? await PostgresStateStore(url: server.url, agent: "a", timeout: 2, logger: Logger(label: "test"))
        }
        let store = try #require(opened, "the store did not open in three tries")
        let lease = try #require(try await store.coordinator.tryLease(stack: "alpha", agent: "a"))
        try server.freeze()
        defer { try? server.thaw() }
        await #expect(throws: PostgresStoreError.self) {
            _ = try await store.beginRun(stack: "alpha", command: "agent", source: PlanSource(), commit: nil)
        }
        #expect(await lease.renew() == false)
        #expect(!lease.isHeld)
        try server.thaw()
        var answered = false
        for _ in 0..<50 where !answered {
            answered = (try? await store.beginRun(stack: "alpha", command: "agent", source: PlanSource(), commit: nil)) != nil
            if !answered { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(answered, "the store works again once the database does")
    }

    @Test("a URL that does not parse is refused without its password")
    func unparsable() {
        for url in ["postgres://plumb:p#ss word@db/plumb", "postgres://plumb:se/cret@db:5432/plumb", "postgres://u:pa@ss@db/plumb?sslmode=bogus"] {
            do {
                _ = try PostgresLocation(url: url)
                Issue.record("\(url) parsed")
            } catch {
                for secret in ["p#ss", "ss word", "se/cret", "cret", "pa@ss"] {
                    #expect(!"\(error)".contains(secret), "\(error)")
                }
            }
        }
        #expect(!String(reflecting: try? PostgresLocation(url: "postgres://u:hunter2@db/plumb")).contains("hunter2"))
    }

    @Test("three stores opening a new database at once migrate it once")
    func concurrentMigrations() async throws {
        let server = try PostgresServer()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for agent in ["a", "b", "c"] {
                group.addTask { _ = try await self.store(server, agent: agent) }
            }
            try await group.waitForAll()
        }
        #expect(
            try server.psql("SELECT string_agg(name, ',' ORDER BY name) FROM plumb_migrations")
                == "v1,v2-agent,v3-agents,v4-order,v5-promises,v6-deliveries")
    }

    @Test("an unreachable store fails with a message that names it without its password")
    func unreachable() async throws {
        let url = "postgres://plumb:hunter2@127.0.0.1:1/plumb?sslmode=disable"
        do {
            _ = try await PostgresStateStore(url: url, timeout: 2, logger: Logger(label: "test"))
            Issue.record("opened a store on a closed port")
        } catch {
            let message = "\(error)"
            #expect(message.contains("postgres://plumb@127.0.0.1:1/plumb"), "\(message)")
            #expect(!message.contains("hunter2"))
        }
        #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(url: "mysql://x") }
        #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(url: "postgres://x/db?sslmode=sometimes") }
    }

    @Test("while the database is down every write fails; when it returns the same store works again")
    func outage() async throws {
        let server = try PostgresServer()
        let store = try await store(server, agent: "a")
        let lease = try #require(try await store.coordinator.tryLease(stack: "alpha", agent: "a"))
        _ = try await store.beginRun(stack: "alpha", command: "agent", source: PlanSource(), commit: nil)
        try server.kill()
        await #expect(throws: PostgresStoreError.self) {
            _ = try await store.beginRun(stack: "alpha", command: "agent", source: PlanSource(), commit: nil)
        }
        #expect(await lease.renew() == false)
        #expect(!lease.isHeld, "a lease does not survive its connection")
        try server.restart()
        var reconnected: Int64?
        for _ in 0..<50 where reconnected == nil {
            reconnected = try? await store.beginRun(stack: "alpha", command: "agent", source: PlanSource(), commit: nil)
            if reconnected == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(reconnected != nil)
        #expect(try await store.runs(limit: 10).count == 2)
        #expect(try await store.coordinator.tryLease(stack: "alpha", agent: "a") != nil)
    }
}
