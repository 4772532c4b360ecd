import Foundation
import PlumbCore
import PlumbProviderEmbedded
import PlumbStore
import PlumbTestSupport
import Testing

/// Reviewed plans, incremental reconciles, the browser, forge comments, PowerDNS, shutdown.
extension EndToEnd.AgentTests {
    @Test("--require-reviewed-plan holds an unreviewed head and applies a merge whose plan reviewers saw")
    func reviewedPlans() async throws {
        let fixture = try exampleRepository()
        let work = try TempRepo.empty()
        let agent = try AgentProcess(repo: fixture.url, state: work.url.appendingPathComponent("state"), extra: ["--require-reviewed-plan"])
        let first = try fixture.git("rev-parse", "HEAD")
        var status = try await agent.waitForStatus { $0["held"] as? String == first }
        #expect(status["held"] as? String == first)
        #expect(status["last_applied_commit"] is NSNull)
        #expect(try await agent.get("/plans/held-\(first)").status == 200)

        try fixture.git("checkout", "-q", "-b", "feature")
        try edit(fixture, "Desired/dns/example.com.yaml", "value: 198.51.100.25", "value: 198.51.100.31")
        let reviewed = try fixture.commit("Reviewed change")
        let body = #"{"action":"opened","number":5,"pull_request":{"head":{"sha":"\#(reviewed)","ref":"feature"},"base":{"ref":"main"}}}"#
        #expect(try await agent.github("pull_request", body).status == 202)
        let deadline = Date().addingTimeInterval(120)
        while try await agent.get("/plans/5").status != 200, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        try fixture.git("checkout", "-q", "main")
        try fixture.git("merge", "-q", "--ff-only", "feature")
        #expect(try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(reviewed)"}"#).status == 202)
        status = try await agent.waitForStatus { $0["last_applied_commit"] as? String == reviewed }
        #expect(status["last_applied_commit"] as? String == reviewed)
        #expect(status["held"] is NSNull)
        #expect(status["last_run_reviewed_in"] as? String == "5")
        #expect(agent.stop() == 0)
    }

    @Test("the status page renders in a real headless browser with the runs")
    func statusPageInBrowser() async throws {
        let fixture = try exampleRepository()
        let work = try TempRepo.empty()
        let agent = try AgentProcess(repo: fixture.url, state: work.url.appendingPathComponent("state"))
        let head = try fixture.git("rev-parse", "HEAD")
        _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == head }
        let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let path = try #require(browser, "chromium is not installed (scripts/install-deps --test installs it)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=\(work.url.path)/chromium", "--dump-dom",
            "http://127.0.0.1:\(agent.port)/",
        ]
        let output = work.url.appendingPathComponent("dom.html")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let dom = try String(contentsOf: output, encoding: .utf8)
        #expect(process.terminationStatus == 0)
        #expect(dom.contains("id=\"health\" class=\"ok\""))
        #expect(dom.contains(head))
        #expect(dom.contains("Example desired state"))
        #expect(dom.contains("<svg id=\"chart\""))
        #expect(agent.stop() == 0)
    }

    @Test("review plans are posted as one pull-request comment, updated in place; drift is announced")
    func forgeComments() async throws {
        let forge = try FakeForge()
        let fixture = try exampleRepository()
        let work = try TempRepo.empty()
        let state = work.url.appendingPathComponent("state")
        let agent = try AgentProcess(
            repo: fixture.url, state: state,
            environment: [
                "PLUMB_GITHUB_TOKEN": "gh-token", "PLUMB_GITHUB_API_URL": forge.url, "PLUMB_DRIFT_WEBHOOK_URL": "\(forge.url)/drift",
            ])
        let head = try fixture.git("rev-parse", "HEAD")
        _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == head }
        try fixture.git("checkout", "-q", "-b", "feature")
        try edit(fixture, "Desired/dns/example.com.yaml", "value: 198.51.100.25", "value: 198.51.100.40")
        let first = try fixture.commit("First version")
        try fixture.git("checkout", "-q", "main")
        func event(_ action: String, _ sha: String) -> String {
            #"{"action":"\#(action)","number":9,"pull_request":{"head":{"sha":"\#(sha)","ref":"feature"},"base":{"ref":"main"}},"repository":{"full_name":"acme/infra"}}"#
        }
        #expect(try await agent.github("pull_request", event("opened", first)).status == 202)
        var snapshot = try await forge.snapshot()
        let deadline = Date().addingTimeInterval(120)
        while snapshot.comments.isEmpty, Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
            snapshot = try await forge.snapshot()
        }
        #expect(snapshot.comments.count == 1)
        #expect((snapshot.comments.first?["body"] as? String)?.contains("198.51.100.40") == true)
        #expect(
            snapshot.log.contains {
                $0["method"] as? String == "POST" && $0["path"] as? String == "/repos/acme/infra/issues/9/comments"
                    && $0["auth"] as? String == "Bearer gh-token"
            })

        try fixture.git("checkout", "-q", "feature")
        try edit(fixture, "Desired/dns/example.com.yaml", "value: 198.51.100.40", "value: 198.51.100.41")
        let second = try fixture.commit("Second version")
        try fixture.git("checkout", "-q", "main")
        #expect(try await agent.github("pull_request", event("synchronize", second)).status == 202)
        while !(snapshot.comments.first?["body"] as? String ?? "").contains("198.51.100.41"), Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
            snapshot = try await forge.snapshot()
        }
        #expect(snapshot.comments.count == 1, "updated in place, not posted twice")
        #expect((snapshot.comments.first?["body"] as? String)?.contains("198.51.100.41") == true)

        let dns = try EmbeddedProvider(
            binding: ProviderBinding(name: "dns", type: .embedded, settings: ["path": "dns.sqlite"]), stateDirectory: state.path)
        try await dns.tamper(.record(zone: "example.com.", name: "www", type: .A), spec: nil)
        var drift: [String: Any]?
        while drift == nil, Date() < deadline.addingTimeInterval(60) {
            try await Task.sleep(for: .milliseconds(100))
            drift = try await forge.snapshot().log.first { $0["path"] as? String == "/drift" }?["body"] as? [String: Any]
        }
        #expect((drift?["text"] as? String)?.contains("1 missing") == true)
        #expect(agent.stop() == 0)
    }

    @Test("a push reconciles only the declarations its commits changed; drift elsewhere, even in the same document, waits for the drift pass")
    func incrementalReconcile() async throws {
        let fixture = try exampleRepository()
        let work = try TempRepo.empty()
        let state = work.url.appendingPathComponent("state")
        let agent = try AgentProcess(repo: fixture.url, state: state, extra: ["--drift-interval", "1h"])
        let head = try fixture.git("rev-parse", "HEAD")
        _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == head }
        // Drift in the other zone, made by hand.
        let dns = try EmbeddedProvider(
            binding: ProviderBinding(name: "dns", type: .embedded, settings: ["path": "dns.sqlite"]), stateDirectory: state.path)
        let cache = Address.record(zone: "internal.example.net.", name: "cache", type: .A)
        try await dns.tamper(cache, spec: .record(RecordSpec(ttl: 300, values: ["10.9.9.9"])))
        // And in the document the push edits, a record the push leaves as it was.
        let api = Address.record(zone: "example.com.", name: "api", type: .CNAME)
        try await dns.tamper(api, spec: .record(RecordSpec(ttl: 3600, values: ["elsewhere.example.net."])))
        try edit(fixture, "Desired/dns/example.com.yaml", "value: 198.51.100.25", "value: 198.51.100.50")
        let next = try fixture.commit("Touch example.com only")
        #expect(try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(next)"}"#).status == 202)
        _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == next }
        let runs = (try JSONSerialization.jsonObject(with: try await agent.get("/runs").body)) as? [[String: Any]] ?? []
        #expect(runs.first?["applied"] as? [String] == ["dns.record/example.com./mail2/A"])
        let live = try await dns.describe(DescribeScope(stack: "example", kinds: [.record], zones: ["internal.example.net."]))
        #expect(live.resources[cache]?.spec == .record(RecordSpec(ttl: 300, values: ["10.9.9.9"])), "untouched scope left for the drift pass")
        // The push's focus is the declaration it changed, not its whole document (decision 55).
        let zone = try await dns.describe(DescribeScope(stack: "example", kinds: [.record], zones: ["example.com."]))
        #expect(zone.resources[api]?.spec == .record(RecordSpec(ttl: 3600, values: ["elsewhere.example.net."])))
        #expect(agent.stop() == 0)
    }

    @Test("against a real PowerDNS: a signed push goes live, its dns check passes, provider requests are counted")
    func powerDNS() async throws {
        let server = try PowerDNSServer()
        let fixture = try GitFixture()
        try fixture.write("Providers/pdns.yaml", "kind: powerdns\nurl: ${PDNS_URL}\napi_key: ${PDNS_API_KEY}\n")
        func zone(_ address: String) -> String {
            """
            provider: pdns
            zone: agent.example.
            records:
              www: {type: A, value: \(address)}
            checks:
              www-live:
                after: dns.record/agent.example./www/*
                dns: {name: www.agent.example., type: A, server: "127.0.0.1:\(server.dnsPort)", expect: [\(address)]}
                timeout: 5s
            """
        }
        try fixture.write("Desired/zone.yaml", zone("192.0.2.1"))
        let first = try fixture.commit("Zone")
        let work = try TempRepo.empty()
        let agent = try AgentProcess(
            repo: fixture.url, state: work.url.appendingPathComponent("state"), environment: ["PDNS_URL": server.url, "PDNS_API_KEY": server.apiKey])
        _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == first }
        try fixture.write("Desired/zone.yaml", zone("192.0.2.2"))
        let second = try fixture.commit("Move www")
        #expect(try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(second)"}"#).status == 202)
        let status = try await agent.waitForStatus { $0["last_applied_commit"] as? String == second }
        #expect(status["last_applied_commit"] as? String == second, "\(status)")
        let runs = (try JSONSerialization.jsonObject(with: try await agent.get("/runs").body)) as? [[String: Any]] ?? []
        let run = try await agent.json("/runs/\(runs.first?["id"] as? Int ?? 0)")
        #expect(run["applied"] as? [String] == ["dns.record/agent.example./www/A"])
        #expect((run["timings"] as? [[String: Any]] ?? []).contains { $0["stage"] as? String == "check" && $0["detail"] as? String == "www-live" })
        let metrics = try await agent.get("/metrics").text
        #expect(metrics.contains("plumb_provider_requests_total{provider=\"pdns\"}"))
        #expect(agent.stop() == 0)
    }

    @Test("SIGTERM mid-run: the chunk in flight finishes, the rest is skipped, the run is interrupted, exit 0")
    func gracefulShutdownMidRun() async throws {
        let fixture = try GitFixture()
        try fixture.write("plumb.yaml", "stack: stop\nchunking: {max_changes: 2}\n")
        try fixture.write("Providers/dns.yaml", "kind: embedded\n")
        let records = ["a", "b", "c", "d", "e", "f"].map { "  \($0): {type: A, value: 192.0.2.1}\n" }.joined()
        try fixture.write(
            "Desired/zone.yaml",
            "provider: dns\nzone: stop.example.\nrecords:\n\(records)checks:\n  slow:\n    after: dns.record/stop.example./b/*\n    command: [sleep, \"8\"]\n    timeout: 30s\n"
        )
        try fixture.commit("Zone")
        let work = try TempRepo.empty()
        let state = work.url.appendingPathComponent("state")
        let agent = try AgentProcess(repo: fixture.url, state: state)
        // Wait until chunk 2 is written (its check then sleeps 8 s, ample even on a loaded
        // machine), then ask the agent to stop.
        let dns = try EmbeddedProvider(binding: ProviderBinding(name: "dns", type: .embedded), stateDirectory: state.path)
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let live = try await dns.describe(DescribeScope(stack: "stop", kinds: [.record], zones: ["stop.example."]))
            if live.resources.count >= 2 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(agent.stop() == 0)
        let store = try SQLiteStateStore(directory: state.path)
        let run = try #require(try await store.runs(limit: 1).first)
        #expect(run.status == .interrupted)
        #expect(run.applied.sorted() == ["dns.record/stop.example./a/A", "dns.record/stop.example./b/A", "dns.zone/stop.example."])
        #expect(run.notApplied.count == 4)
    }
}
