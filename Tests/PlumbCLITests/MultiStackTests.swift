import Foundation
import PlumbAgent
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
            try fixture.write(
                "slow/Desired/zone.yaml",
                "provider: dns\nzone: slow.example.\n\(records)checks:\n  wait:\n    after: \"dns.record/*\"\n    command: [sleep, \"120\"]\n    timeout: 600s\n"
            )
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
            func runs() async throws -> [[String: Any]] {
                try JSONSerialization.jsonObject(with: try await agent.get("/runs").body) as? [[String: Any]] ?? []
            }
            // The slow stack's run is under way (holding one of the two slots)...
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline, try await !runs().contains(where: { $0["stack"] as? String == "slow" && $0["status"] as? String == "running" }) {
                try await Task.sleep(for: .milliseconds(100))
            }
            _ = try await agent.waitForStatus { stack($0, "quick")["last_applied_commit"] as? String == head }
            // ...when a commit for the quick stack arrives: it is applied beside it.
            try fixture.write("quick/Desired/zone.yaml", "provider: dns\nzone: quick.example.\nrecords:\n  www: {type: A, value: 192.0.2.2}\n")
            let next = try fixture.commit("quick: www moves")
            _ = try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(next)"}"#)
            let status = try await agent.waitForStatus {
                stack($0, "quick")["last_applied_commit"] as? String == next && stack($0, "broken")["last_error"] is String
            }
            #expect(stack(status, "quick")["last_applied_commit"] as? String == next)
            #expect(stack(status, "slow")["last_applied_commit"] is NSNull, "the slow stack is still applying: \(stack(status, "slow"))")
            #expect(try await runs().contains { $0["stack"] as? String == "slow" && $0["status"] as? String == "running" })
            let error = stack(status, "broken")["last_error"] as? String ?? ""
            #expect(error.contains("Desired/zone.yaml:4:") && error.contains("192.0.2.300"), "\(error)")
            #expect(stack(status, "broken")["last_applied_commit"] is NSNull)
            for name in ["slow", "broken", "quick"] {
                #expect(stack(status, name)["leased"] as? Bool == true, "a local store grants every stack")
                #expect(stack(status, name)["root"] as? String == name)
            }
            #expect((status["store"] as? [String: Any])?["available"] as? Bool == true)
            #expect(try await runs().filter { $0["stack"] as? String == "quick" && $0["status"] as? String == "succeeded" }.count == 2)
        }

        @Test("a bad agent configuration names the file, line and column")
        func badConfiguration() throws {
            let directory = try TempRepo.empty()
            try directory.write("agent.yaml", "stacks:\n  - name: a\n    repos: /tmp/x\n")
            let result = try PlumbProcess.run(["agent", "--config", "agent.yaml"], in: directory.url)
            #expect(result.status == 1)
            #expect(result.stderr.contains("agent.yaml:3:5: error: unknown key 'repos' in a stack; did you mean 'repo'?"), "\(result.stderr)")
            try directory.write("agent.yaml", "stacks:\n  - {name: a, repo: /tmp/x}\n  - {name: a, repo: /tmp/y}\n")
            let twice = try PlumbProcess.run(["agent", "--config", "agent.yaml"], in: directory.url)
            #expect(twice.status == 1 && twice.stderr.contains("agent.yaml:3:5: error: two stacks are named a"), "\(twice.stderr)")
            try directory.write("agent.yaml", "lease_interval: 30s\nstate: ~\nstacks:\n  - {name: a, repo: /tmp/x}\n")
            let slow = try PlumbProcess.run(["agent", "--config", "agent.yaml"], in: directory.url)
            #expect(slow.status == 1 && slow.stderr.contains("agent.yaml:1:17: error: lease_interval may be at most 5s"), "\(slow.stderr)")
            try directory.write("agent.yaml", "state: ~\nstacks:\n  - {name: a, repo: /tmp/x}\n")
            let null = try PlumbProcess.run(["agent", "--config", "agent.yaml"], in: directory.url)
            #expect(null.status == 1 && null.stderr.contains("agent.yaml:1:8: error: state must be a non-empty string"), "\(null.stderr)")
            try directory.write("agent.yaml", "store: postgres://u:hunter2@db/x\nstacks: [\n")
            let broken = try PlumbProcess.run(["agent", "--config", "agent.yaml"], in: directory.url)
            #expect(
                broken.status == 1 && broken.stderr.contains("agent.yaml:3:1: error: YAML syntax error") && !broken.stderr.contains("hunter2"),
                "\(broken.stderr)")
            // Every problem at once, sorted, as validate tells a document's.
            try directory.write("agent.yaml", "concurrency: 0\nlisten: nowhere\nstacks:\n  - {name: a, repo: /tmp/x, interval: soon}\n")
            let several = try PlumbProcess.run(["agent", "--config", "agent.yaml"], in: directory.url)
            let lines = several.stderr.split(separator: "\n").filter { $0.hasPrefix("agent.yaml:") }
            #expect(several.status == 1 && lines.count == 3, "\(several.stderr)")
            #expect(lines.first?.hasPrefix("agent.yaml:1:14: error: concurrency must be a whole number from 1 to 64") == true, "\(several.stderr)")
            #expect(lines.last?.hasPrefix("agent.yaml:4:39: error: interval must be a duration") == true, "\(several.stderr)")
            // Flags that describe the --repo stack are refused beside --config, not ignored.
            let flags = try PlumbProcess.run(["agent", "--config", "agent.yaml", "--branch", "prod"], in: directory.url)
            #expect(flags.status != 0 && flags.stderr.contains("set them per stack in the file"), "\(flags.stderr)")
        }

        @Test("a webhook's repository name picks the stacks whose URL it names")
        func repositoryNames() {
            var stack = StackConfiguration(repo: "https://git.example.com/Infra/DNS.git")
            #expect(stack.follows(repository: "infra/dns"))
            #expect(!stack.follows(repository: "infra/dns-old"))
            #expect(!stack.follows(repository: "dns"))
            stack.repo = "git@git.example.com:infra/dns"
            #expect(stack.follows(repository: "infra/dns"))
            stack.repo = "/srv/repos/dns"
            #expect(!stack.follows(repository: "infra/dns"))
        }
    }
}

extension EndToEnd.MultiStackTests {
    @Test("a revert after a failed run is applied, not taken for the commit already applied")
    func revertAfterFailure() async throws {
        let fixture = try GitFixture()
        try fixture.write("s/Providers/dns.yaml", "kind: embedded\npath: s.sqlite\n")
        let zone = { (value: Int) in "provider: dns\nzone: s.example.\nrecords:\n  www: {type: A, value: 192.0.2.\(value)}\n" }
        try fixture.write("s/Desired/zone.yaml", zone(1))
        let first = try fixture.commit("www at .1")
        let config = fixture.url.appendingPathComponent("agent.yaml")
        try Data("stacks:\n  - {name: s, repo: \(fixture.url.path), root: s, interval: 1h, drift_interval: 1h}\n".utf8).write(to: config)
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-revert-\(UUID().uuidString)")
        let agent = try AgentProcess(arguments: ["--config", config.path], state: state)
        defer { kill(agent.process.processIdentifier, SIGKILL) }
        func applied(_ status: [String: Any]) -> String? {
            ((status["stacks"] as? [[String: Any]])?.first)?["last_applied_commit"] as? String
        }
        _ = try await agent.waitForStatus { applied($0) == first }
        // www moves, and a check after it fails: the run fails with the change live.
        try fixture.write(
            "s/Desired/zone.yaml", zone(2) + "checks:\n  gate:\n    after: \"dns.record/*\"\n    command: [\"false\"]\n    timeout: 1s\n")
        let broken = try fixture.commit("www at .2, with a failing check")
        _ = try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(broken)"}"#)
        var status = try await agent.waitForStatus { ($0["last_run"] as? [String: Any])?["commit"] as? String == broken }
        #expect((status["last_run"] as? [String: Any])?["status"] as? String == "failed")
        // The revert: the folder is as it was at the applied commit, the live record is not.
        try fixture.write("s/Desired/zone.yaml", zone(1))
        let revert = try fixture.commit("Revert: www back at .1")
        _ = try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(revert)"}"#)
        status = try await agent.waitForStatus { applied($0) == revert }
        let last = status["last_run"] as? [String: Any]
        #expect(last?["commit"] as? String == revert && last?["status"] as? String == "succeeded" && last?["applied"] as? Int == 1, "\(status)")
    }
}
