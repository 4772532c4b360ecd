import Foundation
import PlumbCore
import PlumbProviderEmbedded
import PlumbStore
import PlumbTestSupport
import Testing

extension EndToEnd {
    @Suite("plumb agent end to end")
    struct AgentTests {
        /// A repository holding the project's example desired state on main.
        func exampleRepository() throws -> GitFixture {
            let fixture = try GitFixture()
            for item in ["plumb.yaml", "Providers", "Desired", "scripts"] {
                try FileManager.default.copyItem(
                    at: PlumbProcess.projectRoot.appendingPathComponent(item), to: fixture.url.appendingPathComponent(item))
            }
            try fixture.commit("Example desired state")
            return fixture
        }

        func edit(_ fixture: GitFixture, _ path: String, _ old: String, _ new: String) throws {
            let url = fixture.url.appendingPathComponent(path)
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(text.contains(old))
            try Data(text.replacingOccurrences(of: old, with: new).utf8).write(to: url)
        }

        @Test("applies the head at start, then every signed push; serves status, runs, metrics and the status page")
        func pushes() async throws {
            let fixture = try exampleRepository()
            let work = try TempRepo.empty()
            let agent = try AgentProcess(repo: fixture.url, state: work.url.appendingPathComponent("state"))
            let head = try fixture.git("rev-parse", "HEAD")
            var status = try await agent.waitForStatus { $0["last_applied_commit"] as? String == head }
            #expect(status["last_applied_commit"] as? String == head)

            try edit(fixture, "Desired/dns/example.com.yaml", "value: 198.51.100.25", "value: 198.51.100.30")
            let next = try fixture.commit("Move mail2")
            let push = try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(next)"}"#)
            #expect(push.status == 202)
            status = try await agent.waitForStatus { $0["last_applied_commit"] as? String == next }
            #expect(status["last_applied_commit"] as? String == next)
            let lastRun = status["last_run"] as? [String: Any]
            #expect(lastRun?["applied"] as? Int == 1)

            let runs = try await agent.get("/runs")
            let list = (try JSONSerialization.jsonObject(with: runs.body)) as? [[String: Any]] ?? []
            #expect(list.count == 2)
            let runID = list.first?["id"] as? Int ?? 0
            let run = try await agent.json("/runs/\(runID)")
            #expect((run["commit"] as? [String: Any])?["subject"] as? String == "Move mail2")
            // ?commit= (plumb follow's question): that commit's runs only, by prefix; not hex → 400.
            let mine = (try JSONSerialization.jsonObject(with: try await agent.get("/runs?commit=\(next.prefix(8))").body)) as? [[String: Any]] ?? []
            #expect(mine.map { $0["id"] as? Int } == [runID])
            #expect(try await agent.get("/runs?commit=\(head)").status == 200)
            for bad in ["zzzz", "ab", "%27%20OR%201%3D1", String(repeating: "a", count: 41)] {
                #expect(try await agent.get("/runs?commit=\(bad)").status == 400, "\(bad)")
            }
            let metrics = try await agent.get("/metrics").text
            #expect(metrics.contains("plumb_runs_total{result=\"succeeded\"} 2"))
            #expect(metrics.contains("plumb_changes_applied_total"))
            #expect(!metrics.split(separator: "\n").contains { !$0.hasPrefix("#") && !$0.hasPrefix("plumb_") && !$0.isEmpty })
            let page = try await agent.get("/").text
            #expect(page.contains("<table id=\"runs\">") && page.contains("Move mail2") && page.contains(next))
            #expect(try await agent.get("/healthz").status == 200)
            #expect(agent.stop() == 0)
        }

        @Test("the webhook secret never reaches the agent's output, logs, endpoints or state")
        func secretStaysSecret() async throws {
            let fixture = try exampleRepository()
            let work = try TempRepo.empty()
            let state = work.url.appendingPathComponent("state")
            let agent = try AgentProcess(repo: fixture.url, state: state)
            let head = try fixture.git("rev-parse", "HEAD")
            _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == head }
            try edit(fixture, "Desired/dns/example.com.yaml", "value: 198.51.100.25", "value: 198.51.100.31")
            let next = try fixture.commit("Move mail2 again")
            #expect(try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(next)"}"#).status == 202)
            _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == next }
            // A badly signed delivery is logged as refused: still without the secret.
            _ = try await agent.github("push", #"{"ref":"refs/heads/main"}"#, signature: "sha256=" + String(repeating: "1", count: 64))
            var served = ""
            for path in ["/status", "/runs", "/metrics", "/"] { served += try await agent.get(path).text }
            #expect(agent.stop() == 0)
            let secret = Data(AgentProcess.secret.utf8)
            #expect(!served.contains(AgentProcess.secret))
            for file in try FileManager.default.subpathsOfDirectory(atPath: state.path) {
                let url = state.appendingPathComponent(file)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    let data = FileManager.default.contents(atPath: url.path)
                else { continue }
                #expect(data.range(of: secret) == nil, "\(file) holds the webhook secret")
            }
        }

        @Test("hostile and odd webhooks: 401, 413, 400, 202 for another branch, 200 for a redelivery or a replayed body, 200 for ping")
        func webhookEdges() async throws {
            let fixture = try exampleRepository()
            let work = try TempRepo.empty()
            let agent = try AgentProcess(repo: fixture.url, state: work.url.appendingPathComponent("state"))
            let head = try fixture.git("rev-parse", "HEAD")
            _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == head }
            let push = #"{"ref":"refs/heads/main","after":"x"}"#
            #expect(try await agent.github("push", push, signature: "sha256=" + String(repeating: "0", count: 64)).status == 401)
            #expect(try await agent.github("push", push, signature: "").status == 401)
            let huge = "{\"ref\":\"refs/heads/main\",\"pad\":\"" + String(repeating: "a", count: 1 << 20) + "\"}"
            #expect(try await agent.github("push", huge).status == 413)
            #expect(try await agent.github("push", "{not json").status == 400)
            #expect(try await agent.github("push", #"{"ref":"refs/heads/other"}"#).status == 202)
            #expect(try await agent.github("ping", #"{"zen":"hi"}"#).status == 200)
            #expect(try await agent.github("push", push, delivery: "same").status == 202)
            #expect(try await agent.github("push", push, delivery: "same").status == 200)
            // A flood of 1,000 signed replays of that push under new delivery ids: each is known by
            // its body (200), nothing crashes, nothing new is applied, and memory does not grow
            // with the flood.
            let before = agent.residentKilobytes()
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<1000 {
                    group.addTask { try await agent.github("push", push).status }
                }
                for try await status in group { #expect(status == 200) }
            }
            try await Task.sleep(for: .seconds(1))
            let runs = (try JSONSerialization.jsonObject(with: try await agent.get("/runs").body)) as? [[String: Any]] ?? []
            #expect(runs.count == 1)
            let after = agent.residentKilobytes()
            #expect(after - before < 64 * 1024, "resident memory grew from \(before) KB to \(after) KB")
            #expect(try await agent.get("/healthz").status == 200)
            #expect(agent.stop() == 0)
        }

        @Test("a pull-request webhook computes the review plan of that branch, served at /plans/ID")
        func reviewPlan() async throws {
            let fixture = try exampleRepository()
            let work = try TempRepo.empty()
            let agent = try AgentProcess(repo: fixture.url, state: work.url.appendingPathComponent("state"))
            let head = try fixture.git("rev-parse", "HEAD")
            _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == head }
            try fixture.git("checkout", "-q", "-b", "feature")
            try edit(fixture, "Desired/dns/example.com.yaml", "  mail2:\n", "  review-me:\n    type: A\n    value: 192.0.2.77\n  mail2:\n")
            let prHead = try fixture.commit("Add review-me")
            try fixture.git("checkout", "-q", "main")
            let body =
                #"{"action":"opened","number":42,"pull_request":{"number":42,"head":{"sha":"\#(prHead)","ref":"feature"},"base":{"ref":"main"}}}"#
            #expect(try await agent.github("pull_request", body).status == 202)
            var plan = ""
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                let response = try await agent.get("/plans/42")
                if response.status == 200 {
                    plan = response.text
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(plan.contains("What this change does"))
            #expect(plan.contains("dns.record/example.com./review-me/A"))
            #expect(plan.contains("| 1 | 0 | 0 | 0 |"))
            #expect(try await agent.get("/plans/43").status == 404)
            // Nothing was applied for the pull request.
            let status = try await agent.json("/status")
            #expect(status["last_applied_commit"] as? String == head)
            #expect(agent.stop() == 0)
        }

        @Test("a hand-made change shows in the next drift pass; with --heal it is repaired")
        func driftAndHeal() async throws {
            for heal in [false, true] {
                let fixture = try exampleRepository()
                let work = try TempRepo.empty()
                let state = work.url.appendingPathComponent("state")
                let agent = try AgentProcess(repo: fixture.url, state: state, extra: heal ? ["--heal"] : [])
                let head = try fixture.git("rev-parse", "HEAD")
                _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == head }
                let dns = try EmbeddedProvider(
                    binding: ProviderBinding(name: "dns", type: .embedded, settings: ["path": "dns.sqlite"]), stateDirectory: state.path)
                try await dns.tamper(
                    .record(zone: "example.com.", name: "www", type: .A), spec: .record(RecordSpec(ttl: 300, values: ["192.0.2.99"])))
                if heal {
                    let status = try await agent.waitForStatus {
                        ($0["last_run"] as? [String: Any])?["id"] as? Int == 2 && ($0["drift"] as? [String: Any])?["modified"] as? Int == 0
                    }
                    #expect((status["last_run"] as? [String: Any])?["applied"] as? Int == 1, "heal run: \(status)")
                    let live = try await dns.describe(DescribeScope(stack: "example", kinds: [.record], zones: ["example.com."]))
                    #expect(
                        live.resources[.record(zone: "example.com.", name: "www", type: .A)]?.spec
                            == .record(RecordSpec(ttl: 300, values: ["192.0.2.10", "192.0.2.11"])))
                } else {
                    let status = try await agent.waitForStatus { ($0["drift"] as? [String: Any])?["modified"] as? Int == 1 }
                    #expect((status["drift"] as? [String: Any])?["modified"] as? Int == 1)
                    let metrics = try await agent.get("/metrics").text
                    #expect(metrics.contains("plumb_drift_resources{stack=\"example\",state=\"modified\"} 1"), "\(metrics)")
                }
                #expect(agent.stop() == 0)
            }
        }
    }
}
