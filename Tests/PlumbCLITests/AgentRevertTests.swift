import Foundation
import PlumbTestSupport
import Testing

extension EndToEnd {
    @Suite("plumb agent and on_failure: revert")
    struct AgentRevertTests {
        @Test("a reverted commit is failed and not applied again by the agent until a new commit")
        func revertedCommitNotRetried() async throws {
            let fixture = try GitFixture()
            for item in ["plumb.yaml", "Providers", "Desired", "scripts"] {
                try FileManager.default.copyItem(
                    at: PlumbProcess.projectRoot.appendingPathComponent(item), to: fixture.url.appendingPathComponent(item))
            }
            try fixture.commit("Example desired state")
            let work = try TempRepo.empty()
            let state = work.url.appendingPathComponent("state")
            var agent = try AgentProcess(repo: fixture.url, state: state)
            let first = try fixture.git("rev-parse", "HEAD")
            _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == first }

            // A commit whose check fails after the record it changes: reverted.
            let settings = fixture.url.appendingPathComponent("plumb.yaml")
            let text = try String(contentsOf: settings, encoding: .utf8)
            try Data(text.replacingOccurrences(of: "on_failure: stop", with: "on_failure: revert").utf8).write(to: settings)
            let zone = fixture.url.appendingPathComponent("Desired/dns/example.com.yaml")
            let records = try String(contentsOf: zone, encoding: .utf8)
            #expect(records.contains("value: 198.51.100.25"))
            try Data(
                (records.replacingOccurrences(of: "value: 198.51.100.25", with: "value: 198.51.100.30")
                    + "checks:\n  broken:\n    after: dns.record/example.com./mail2/*\n    command: [\"false\"]\n    timeout: 300ms\n").utf8
            ).write(to: zone)
            let bad = try fixture.commit("Move mail2, with a check that fails")
            #expect(try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(bad)"}"#).status == 202)
            let status = try await agent.waitForStatus { ($0["last_run"] as? [String: Any])?["commit"] as? String == bad }
            #expect((status["last_run"] as? [String: Any])?["status"] as? String == "reverted")
            #expect(status["last_applied_commit"] as? String == first, "a reverted commit is not applied")
            #expect(status["last_error"] as? String != nil)
            let runsBefore = try JSONSerialization.jsonObject(with: try await agent.get("/runs").body) as? [[String: Any]] ?? []
            #expect(agent.stop() == 0)

            // Restarted on the same head: it does not try the reverted commit again.
            agent = try AgentProcess(repo: fixture.url, state: state)
            _ = try await agent.waitForStatus { $0["last_error"] as? String != nil }
            try await Task.sleep(for: .seconds(1))
            let runsAfter = try JSONSerialization.jsonObject(with: try await agent.get("/runs").body) as? [[String: Any]] ?? []
            #expect(runsAfter.count == runsBefore.count, "the reverted commit was applied again")

            // A new commit (the check fixed) moves the stack on.
            let fixed = try String(contentsOf: zone, encoding: .utf8).replacingOccurrences(of: "command: [\"false\"]", with: "command: [\"true\"]")
            try Data(fixed.utf8).write(to: zone)
            let next = try fixture.commit("Fix the check")
            #expect(try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(next)"}"#).status == 202)
            _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == next }
            #expect(agent.stop() == 0)
        }
    }
}
