import Foundation
import PlumbTestSupport
import Testing

/// Three `plumb agent` processes sharing a real PostgreSQL store follow two stacks of one
/// repository (two folders, two PowerDNS zones). Each stack is applied by one agent at a
/// time; killing the holder moves its stack to another agent, which finishes the work
/// without re-applying what was applied; killing the database stops every apply until it
/// returns.
extension EndToEnd {
    @Suite("scale out on PostgreSQL")
    struct ScaleOutTests {
        struct Cluster {
            let postgres: PostgresServer
            let pdns: PowerDNSServer
            let fixture: GitFixture
            let config: URL
            var agents: [String: AgentProcess] = [:]
        }

        static let stacks = ["alpha": "dns-a", "beta": "dns-b"]

        func zone(_ stack: String, _ records: ClosedRange<Int>, checks: Bool = false) -> String {
            var text = "provider: pdns\nzone: \(stack).example.\nrecords:\n"
            for number in records { text += "  h\(number): {type: A, value: 192.0.2.\(number)}\n" }
            if checks {
                // A pause after every chunk, so a run is long enough to be killed mid-way.
                text += "checks:\n  pause:\n    after: \"dns.record/*\"\n    command: [sleep, \"1\"]\n    timeout: 10s\n"
            }
            return text
        }

        func start() throws -> Cluster {
            let postgres = try PostgresServer()
            let pdns = try PowerDNSServer()
            let fixture = try GitFixture()
            for (stack, folder) in Self.stacks {
                try fixture.write("\(folder)/plumb.yaml", "stack: \(stack)\nchunking: {max_changes: 1}\n")
                try fixture.write("\(folder)/Providers/pdns.yaml", "kind: powerdns\nurl: ${PDNS_URL}\napi_key: ${PDNS_API_KEY}\n")
                try fixture.write("\(folder)/Desired/zone.yaml", zone(stack, 1...2))
            }
            try fixture.commit("Two stacks")
            let config = fixture.url.deletingLastPathComponent().appendingPathComponent("agents-\(UUID().uuidString).yaml")
            var text = "store: \(postgres.url)\nlease_interval: 1s\nconcurrency: 2\nstacks:\n"
            for (stack, folder) in Self.stacks.sorted(by: { $0.key < $1.key }) {
                text += "  - {name: \(stack), repo: \(fixture.url.path), root: \(folder), interval: 1s, drift_interval: 1h}\n"
            }
            try Data(text.utf8).write(to: config)
            return Cluster(postgres: postgres, pdns: pdns, fixture: fixture, config: config)
        }

        func startAgent(_ id: String, in cluster: inout Cluster) throws {
            let state = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-agent-\(id)-\(UUID().uuidString)")
            cluster.agents[id] = try AgentProcess(
                arguments: ["--config", cluster.config.path, "--agent-id", id], state: state,
                environment: ["PDNS_URL": cluster.pdns.url, "PDNS_API_KEY": cluster.pdns.apiKey])
        }

        /// Waits (up to 120 s) until the query prints `expected`; returns what it printed last.
        @discardableResult
        func wait(_ cluster: Cluster, _ sql: String, for expected: String) async throws -> String {
            let deadline = Date().addingTimeInterval(120)
            var last = ""
            while Date() < deadline {
                last = (try? cluster.postgres.psql(sql)) ?? ""
                if last == expected { return last }
                try await Task.sleep(for: .milliseconds(200))
            }
            return last
        }

        /// Waits until a run of the stack for the commit has written its first record.
        func firstRecordWritten(_ cluster: Cluster, stack: String, commit: String) async throws -> Bool {
            try await wait(
                cluster,
                """
                SELECT count(*) > 0 FROM journal j JOIN runs r ON r.id = j.run_id
                WHERE r.commit_id = '\(commit)' AND r.stack = '\(stack)' AND j.phase = 'applied'
                """, for: "t") == "t"
        }

        func applied(_ cluster: Cluster, _ stack: String) -> String {
            "SELECT coalesce(max(last_commit), '') FROM stacks WHERE stack = '\(stack)'"
        }

        func liveNames(_ cluster: Cluster, _ stack: String) throws -> Set<String> {
            let (status, body) = try cluster.pdns.api("GET", "/zones/\(stack).example.")
            guard status == 200 else { return [] }
            let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            let rrsets = (json?["rrsets"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "A" }
            return Set(rrsets.compactMap { $0["name"] as? String })
        }

        func names(_ stack: String, _ records: ClosedRange<Int>) -> Set<String> {
            Set(records.map { "h\($0).\(stack).example." })
        }

        /// How many agents say they hold each stack, once that settles (up to 60 s).
        func holdersPerStack(_ cluster: Cluster) async throws -> [String: Int] {
            var counts: [String: Int] = [:]
            let deadline = Date().addingTimeInterval(60)
            repeat {
                counts = [:]
                for agent in cluster.agents.values {
                    for stack in try await agent.json("/status")["stacks"] as? [[String: Any]] ?? []
                    where stack["leased"] as? Bool == true {
                        counts[stack["stack"] as? String ?? "?", default: 0] += 1
                    }
                }
                if counts == ["alpha": 1, "beta": 1] { break }
                try await Task.sleep(for: .milliseconds(250))
            } while Date() < deadline
            return counts
        }

        /// No change was ever applied twice: every record is created by exactly one run.
        func expectNoDoubleApplies(_ cluster: Cluster) throws {
            let doubles = try cluster.postgres.psql(
                """
                SELECT string_agg(address, ',') FROM (
                    SELECT address FROM journal WHERE phase = 'applied' GROUP BY address, action HAVING count(*) > 1) d
                """)
            #expect(doubles.isEmpty, "applied twice: \(doubles)")
        }

        @Test("three agents, two stacks: each commit applied once; a killed holder's stack moves and finishes; a database outage pauses applies")
        func threeAgents() async throws {
            var cluster = try start()
            for id in ["agent-1", "agent-2", "agent-3"] { try startAgent(id, in: &cluster) }
            let first = try cluster.fixture.git("rev-parse", "HEAD")
            for stack in Self.stacks.keys {
                #expect(try await wait(cluster, applied(cluster, stack), for: first) == first)
            }
            // The stacks spread: two different agents hold them.
            let holders = try await wait(
                cluster,
                "SELECT count(DISTINCT agent) FROM stack_leases WHERE renewed_at > extract(epoch FROM now()) - 3", for: "2")
            #expect(holders == "2", "stacks did not spread over agents")
            // And each is held by exactly one, as every agent's /status tells.
            #expect(try await holdersPerStack(cluster) == ["alpha": 1, "beta": 1])

            // Commits touching one stack or the other, each applied once.
            var commits: [(stack: String, id: String)] = []
            for (index, stack) in ["alpha", "beta", "alpha", "beta"].enumerated() {
                let top = 2 + (index / 2 + 1)
                try cluster.fixture.write("\(Self.stacks[stack] ?? "")/Desired/zone.yaml", zone(stack, 1...top))
                let id = try cluster.fixture.commit("\(stack): h\(top)")
                #expect(try await wait(cluster, applied(cluster, stack), for: id) == id)
                commits.append((stack, id))
            }
            for (stack, id) in commits {
                let runs = try cluster.postgres.psql(
                    "SELECT count(*) FROM runs WHERE stack = '\(stack)' AND commit_id = '\(id)' AND status = 'succeeded'")
                #expect(runs == "1", "\(stack) \(id.prefix(8)) applied \(runs) times")
            }
            // A commit that touched only the other stack's folder is applied without a run.
            let last = try #require(commits.last?.id)
            #expect(try await wait(cluster, applied(cluster, "alpha"), for: last) == last)
            let alphaOnly = commits.filter { $0.stack == "alpha" }.map { "'\($0.id)'" }.joined(separator: ",")
            #expect(try cluster.postgres.psql("SELECT count(*) FROM runs WHERE stack = 'beta' AND commit_id IN (\(alphaOnly))") == "0")
            #expect(try liveNames(cluster, "alpha") == names("alpha", 1...4))
            #expect(try liveNames(cluster, "beta") == names("beta", 1...4))

            // A long change to alpha; kill its holder once the first record is written.
            try cluster.fixture.write("dns-a/Desired/zone.yaml", zone("alpha", 1...8, checks: true))
            let long = try cluster.fixture.commit("alpha: h5-h8, slowly")
            #expect(try await firstRecordWritten(cluster, stack: "alpha", commit: long), "the long run never started")
            let victim = try cluster.postgres.psql(
                "SELECT agent FROM runs WHERE commit_id = '\(long)' AND stack = 'alpha' AND status = 'running' LIMIT 1")
            let killedAt = Date()
            if let process = cluster.agents[victim]?.process {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            #expect(cluster.agents[victim] != nil, "no running alpha run to kill (agent '\(victim)')")
            cluster.agents[victim] = nil
            #expect(try await wait(cluster, applied(cluster, "alpha"), for: long) == long)
            let takeover = try cluster.postgres.psql(
                "SELECT agent || ' ' || (started_at - \(killedAt.timeIntervalSince1970))::int FROM runs WHERE commit_id = '\(long)' AND stack = 'alpha' AND status = 'succeeded'"
            )
            print("alpha taken over by \(takeover) s after the kill")
            let statuses = try cluster.postgres.psql(
                "SELECT string_agg(status || ':' || agent, ',' ORDER BY id) FROM runs WHERE commit_id = '\(long)' AND stack = 'alpha' AND status <> 'unchanged'"
            )
            let parts = statuses.split(separator: ",").map(String.init)
            #expect(parts.count == 2 && parts.first == "interrupted:\(victim)", "runs of the long commit: \(statuses)")
            #expect(parts.last?.hasPrefix("succeeded:") == true && parts.last != "succeeded:\(victim)", "runs of the long commit: \(statuses)")
            // The new holder applied only what the killed one had not.
            let firstHalf = try cluster.postgres.psql(
                "SELECT count(*) FROM journal j JOIN runs r ON r.id = j.run_id WHERE r.commit_id = '\(long)' AND r.status = 'interrupted' AND j.phase = 'applied'"
            )
            let secondHalf = try cluster.postgres.psql(
                "SELECT count(*) FROM journal j JOIN runs r ON r.id = j.run_id WHERE r.commit_id = '\(long)' AND r.status = 'succeeded' AND j.phase = 'applied'"
            )
            #expect((Int(firstHalf) ?? 0) >= 1 && (Int(firstHalf) ?? 0) + (Int(secondHalf) ?? 0) == 4, "\(firstHalf) + \(secondHalf)")
            #expect(try liveNames(cluster, "alpha") == names("alpha", 1...8))
            try expectNoDoubleApplies(cluster)

            // A holder loses its database connection mid-run (its lease session is cut, as a
            // network drop would): it stops at the next chunk boundary, the stack is leased
            // again and the rest is applied, nothing twice.
            try cluster.fixture.write("dns-b/Desired/zone.yaml", zone("beta", 1...8, checks: true))
            let cut = try cluster.fixture.commit("beta: h5-h8, slowly")
            #expect(try await firstRecordWritten(cluster, stack: "beta", commit: cut), "the long beta run never started")
            _ = try cluster.postgres.psql(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()")
            #expect(try await wait(cluster, applied(cluster, "beta"), for: cut) == cut)
            let cutRuns = try cluster.postgres.psql(
                "SELECT string_agg(status, ',' ORDER BY id) FROM runs WHERE commit_id = '\(cut)' AND stack = 'beta' AND status <> 'unchanged'")
            #expect(cutRuns == "interrupted,succeeded", "runs of the cut commit: \(cutRuns)")
            #expect(try liveNames(cluster, "beta") == names("beta", 1...8))
            try expectNoDoubleApplies(cluster)

            // The database dies for a few seconds: nobody applies, everybody says so.
            try cluster.postgres.kill()
            for (id, agent) in cluster.agents {
                let status = try await agent.waitForStatus { (($0["store"] as? [String: Any])?["available"] as? Bool) == false }
                #expect((status["store"] as? [String: Any])?["available"] as? Bool == false, "\(id) did not notice the outage")
                #expect(
                    try String(contentsOf: agent.state.appendingPathComponent("agent.log"), encoding: .utf8).contains("the store does not answer"))
            }
            try cluster.fixture.write("dns-b/Desired/zone.yaml", zone("beta", 1...9))
            let during = try cluster.fixture.commit("beta: h9, during the outage")
            try await Task.sleep(for: .seconds(4))
            #expect(try liveNames(cluster, "beta") == names("beta", 1...8), "applied without a store")
            try cluster.postgres.restart()
            #expect(try await wait(cluster, applied(cluster, "beta"), for: during) == during)
            #expect(try liveNames(cluster, "beta") == names("beta", 1...9))
            #expect(
                try cluster.postgres.psql(
                    "SELECT count(*) FROM runs WHERE stack = 'beta' AND commit_id = '\(during)' AND status = 'succeeded'") == "1")
            try expectNoDoubleApplies(cluster)

            // Every agent's runs are in the one history, as `plumb history --store` shows.
            let history = try PlumbProcess.run(
                ["history", "--store", cluster.postgres.url, "--format", "json", "--limit", "1000"], in: cluster.fixture.url)
            #expect(history.status == 0, "\(history.stderr)")
            let runs = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(String(runs.count) == (try cluster.postgres.psql("SELECT count(*) FROM runs")))
            let agents = Set(runs.compactMap { $0["agent"] as? String })
            #expect(agents.count >= 2 && agents.isSubset(of: ["agent-1", "agent-2", "agent-3"]), "\(agents)")
            #expect(!runs.contains { $0["status"] as? String == "running" })

            // One writer per stack, from anywhere: a command-line apply through the shared
            // store is refused while an agent holds the stack.
            let cli = try PlumbProcess.run(
                ["apply", "--root", cluster.fixture.url.appendingPathComponent("dns-a").path, "--store", cluster.postgres.url, "--auto-approve"],
                in: cluster.fixture.url, environment: ["PDNS_URL": cluster.pdns.url, "PDNS_API_KEY": cluster.pdns.apiKey])
            #expect(cli.status == 1 && cli.stderr.contains("stack alpha is being applied by agent-"), "\(cli.stderr)")

            for agent in cluster.agents.values { #expect(agent.stop() == 0) }
        }
    }
}
