import Foundation
import PlumbTestSupport
import Testing

extension EndToEnd {
    /// One agent, several stacks of one repository, the default SQLite store: stacks
    /// reconcile side by side, and a slow or broken stack holds up no other.
    @Suite("one agent, several stacks")
    struct MultiStackTests {
        @Test("a slow stack and a broken stack do not hold up a third; each stack has its own status")
        func independentStacks() async throws {
            let fixture = try GitFixture()
            let records = "records:\n  www: {type: A, value: 192.0.2.1}\n"
            for stack in ["slow", "broken", "quick"] {
                try fixture.write("\(stack)/Providers/dns.yaml", "kind: embedded\npath: \(stack).sqlite\n")
            }
            // The slow stack's check outlasts the whole test: its run is still going when
            // the quick stack is done.
            try fixture.write("slow/Desired/zone.yaml", "provider: dns\nzone: slow.example.\n\(records)checks:\n  wait:\n    after: \"dns.record/*\"\n    command: [sleep, \"120\"]\n    timeout: 600s\n")
            try fixture.write("broken/Desired/zone.yaml", "provider: dns\nzone: broken.example.\nrecords:\n  www: {type: A, value: 192.0.2.300}\n")
            try fixture.write("quick/Desired/zone.yaml", "provider: dns\nzone: quick.example.\n\(records)")
            let head = try fixture.commit("Three stacks")
            let config = fixture.url.appendingPathComponent("agent.yaml")
            var text = "concurrency: 2\nstacks:\n"
            for stack in ["slow", "broken", "quick"] {
                text += "  - {name: \(stack), repo: \(fixture.url.path), root: \(stack), interval: 1h, drift_interval: 1h}\n"
            }
            try Data(text.utf8).write(to: config)
            let state = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-multi-\(UUID().uuidString)")
            let agent = try AgentProcess(arguments: ["--config", config.path], state: state)
            defer { kill(agent.process.processIdentifier, SIGKILL) }

            func stack(_ status: [String: Any], _ name: String) -> [String: Any] {
                (status["stacks"] as? [[String: Any]] ?? []).first { $0["stack"] as? String == name } ?? [:]
            }
            let status = try await agent.waitForStatus {
                stack($0, "quick")["last_applied_commit"] as? String == head && stack($0, "broken")["last_error"] is String
            }
            #expect(stack(status, "quick")["last_applied_commit"] as? String == head)
            #expect(stack(status, "slow")["last_applied_commit"] is NSNull, "the slow stack is still applying: \(stack(status, "slow"))")
            let error = stack(status, "broken")["last_error"] as? String ?? ""
            #expect(error.contains("Desired/zone.yaml:4:") && error.contains("192.0.2.300"), "\(error)")
            #expect(stack(status, "broken")["last_applied_commit"] is NSNull)
            for name in ["slow", "broken", "quick"] {
                #expect(stack(status, name)["leased"] as? Bool == true, "a local store grants every stack")
                #expect(stack(status, name)["root"] as? String == name)
            }
            #expect((status["store"] as? [String: Any])?["available"] as? Bool == true)
            let runs = try JSONSerialization.jsonObject(with: try await agent.get("/runs").body) as? [[String: Any]] ?? []
            #expect(runs.contains { $0["stack"] as? String == "quick" && $0["status"] as? String == "succeeded" })
            #expect(runs.contains { $0["stack"] as? String == "slow" && $0["status"] as? String == "running" })
        }

        @Test("a bad agent configuration names the file, line and column")
        func badConfiguration() throws {
            let directory = try TempRepo.empty()
            try directory.write("agent.yaml", "stacks:\n  - name: a\n    repos: /tmp/x\n")
            let result = try PlumbProcess.run(["agent", "--config", "agent.yaml"], in: directory.url)
            #expect(result.status == 1)
            #expect(result.stderr.contains("agent.yaml:3:5: unknown key 'repos' in a stack"), "\(result.stderr)")
            try directory.write("agent.yaml", "stacks:\n  - {name: a, repo: /tmp/x}\n  - {name: a, repo: /tmp/y}\n")
            let twice = try PlumbProcess.run(["agent", "--config", "agent.yaml"], in: directory.url)
            #expect(twice.status == 1 && twice.stderr.contains("agent.yaml:3:5: two stacks are named a"), "\(twice.stderr)")
        }
    }
}
