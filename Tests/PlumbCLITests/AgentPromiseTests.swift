import Foundation
import PlumbTestSupport
import Testing

extension EndToEnd {
    @Suite("the agent keeps a failed check failed, backs off, and records invalid commits")
    struct AgentPromiseTests {
        func runs(_ agent: AgentProcess) async throws -> [[String: Any]] {
            let response = try await agent.get("/runs")
            return (try JSONSerialization.jsonObject(with: response.body)) as? [[String: Any]] ?? []
        }

        @Test("a check failing after a pushed commit's chunk 2: never applied while it fails, fewer runs than polls, applied once it passes")
        func stickyCheckThroughAPush() async throws {
            let flag = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-gate-\(UUID().uuidString)")
            let fixture = try GitFixture()
            try fixture.write("plumb.yaml", "stack: sticky\nchunking: {strategy: fixed, max_changes: 2, by: kind}\n")
            try fixture.write("Providers/dns.yaml", "kind: embedded\n")
            let names = ["a", "b", "c", "d"]
            try fixture.write("Desired/zone.yaml", GitFixture.zone(names.enumerated().map { ($0.element, "192.0.2.\($0.offset + 1)") }))
            let first = try fixture.commit("Four records")
            let work = try TempRepo.empty()
            let agent = try AgentProcess(
                arguments: ["--repo", fixture.url.path, "--interval", "1s", "--drift-interval", "10m"],
                state: work.url.appendingPathComponent("state"))
            _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == first }

            // Four updates in chunks [a b] [c d]; the gate after c fails.
            try fixture.write("Desired/zone.yaml", GitFixture.zone(names.enumerated().map { ($0.element, "198.51.100.\($0.offset + 1)") }))
            try fixture.write(
                "Desired/checks.yaml",
                "checks:\n  gate:\n    after: \"dns.record/example.com./c/*\"\n    command: [test, -e, \"\(flag.path)\"]\n    timeout: 1s\n")
            let gated = try fixture.commit("Renumber, gated")
            let push = try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(gated)"}"#)
            #expect(push.status == 202)
            var status = try await agent.waitForStatus { ($0["last_error"] as? String)?.contains("gate") == true }
            #expect(status["last_applied_commit"] as? String == first)
            let failedRuns = try await runs(agent)
            // With a 1 s poll, the poll may see the commit before the push is handled, and may already
            // have run the owed check again: the first failed run (the list is newest first) is the apply.
            // The webhook trigger itself is asserted with a 60 s poll in `invalidCommitIsARun`.
            let failed = try #require(failedRuns.last { $0["status"] as? String == "failed" })
            #expect(failed["kind"] as? String == "apply")
            #expect(["webhook", "poll"].contains(failed["trigger"] as? String ?? ""))

            // Six poll intervals with the check still failing.
            let before = failedRuns.count
            for _ in 0..<12 {
                try await Task.sleep(for: .milliseconds(500))
                status = try await agent.json("/status")
                #expect(status["last_applied_commit"] as? String == first, "never marked applied while the check fails")
                #expect(status["last_error"] as? String != nil, "the error stays")
            }
            let during = try await runs(agent)
            let retries = during.count - before
            #expect(retries >= 1, "the owed check is run again")
            #expect(retries < 6, "backoff: \(retries) runs in 6 poll intervals")
            // The newest retry may still be running when /runs answers; none has succeeded.
            #expect(
                during.prefix(retries).allSatisfy { ["failed", "running"].contains($0["status"] as? String ?? "") },
                "\(during.prefix(retries).map { $0["status"] ?? "?" })")
            #expect(status["next_attempt"] as? String != nil)
            #expect((status["failed_checks"] as? [String: Any])?["checks"] as? [String] == ["gate"])

            _ = FileManager.default.createFile(atPath: flag.path, contents: Data())
            status = try await agent.waitForStatus { $0["last_applied_commit"] as? String == gated }
            #expect(status["last_applied_commit"] as? String == gated)
            #expect(status["last_error"] is NSNull || status["last_error"] == nil)
            #expect(status["failed_checks"] is NSNull || status["failed_checks"] == nil)
            let cleared = try await runs(agent).first
            #expect(cleared?["status"] as? String == "succeeded")
            #expect(cleared?["note"] as? String == "checks that failed on run \(failed["id"] as? Int ?? 0) now pass")
            #expect(agent.stop() == 0)
        }

        @Test("a pushed commit with a YAML error is a run: invalid, with file:line:column and its author, in /runs and history")
        func invalidCommitIsARun() async throws {
            let fixture = try GitFixture()
            try fixture.write("plumb.yaml", "stack: broken\n")
            try fixture.write("Providers/dns.yaml", "kind: embedded\n")
            try fixture.write("Desired/zone.yaml", GitFixture.zone([("www", "192.0.2.1")]))
            let first = try fixture.commit("One record")
            let work = try TempRepo.empty()
            let state = work.url.appendingPathComponent("state")
            let agent = try AgentProcess(arguments: ["--repo", fixture.url.path, "--interval", "60s", "--drift-interval", "10m"], state: state)
            _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == first }

            try fixture.write("Desired/zone.yaml", "provider: dns\nzone: example.com.\nrecords:\n  www: {type: A, value: [192.0.2.1\n")
            let broken = try fixture.commit("Break the zone")
            #expect(try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(broken)"}"#).status == 202)
            let status = try await agent.waitForStatus { ($0["last_run"] as? [String: Any])?["status"] as? String == "invalid" }
            #expect(status["last_applied_commit"] as? String == first)
            let run = try #require(try await runs(agent).first)
            #expect(run["status"] as? String == "invalid" && run["trigger"] as? String == "webhook")
            #expect((run["commit"] as? [String: Any])?["author"] as? String == "Ann Example <ann@example.com>")
            let diagnostics = run["diagnostics"] as? [[String: Any]] ?? []
            let location = diagnostics.first?["location"] as? [String: Any]
            #expect(location?["file"] as? String == "Desired/zone.yaml")
            #expect((location?["line"] as? Int ?? 0) > 0 && (location?["column"] as? Int ?? 0) > 0)
            #expect((run["error"] as? String)?.hasPrefix("Desired/zone.yaml:") == true)
            #expect(agent.stop() == 0)

            let history = try work.plumb("history", "--state", state.path)
            #expect(history.stdout.contains("invalid"))
            #expect(history.stdout.contains("Desired/zone.yaml:"))
            #expect(history.stdout.contains("Ann Example"))
        }
    }
}
