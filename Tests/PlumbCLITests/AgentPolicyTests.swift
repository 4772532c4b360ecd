import Foundation
import PlumbTestSupport
import Testing

extension EndToEnd {
    /// #22 through the agent: a request that opens SSH to the world is shown as a finding with
    /// its diagram in review, refused when merged (commit status failure, a notification), and
    /// applied once a waiver with a reason is merged.
    @Suite("plumb agent: policies in review and on merge")
    struct AgentPolicyTests {
        /// The same group the CLI policy tests open SSH on.
        static let bastion = PolicyAndGraphTests.bastion

        func waitFor(_ forge: FakeForge, _ condition: ([[String: Any]]) -> Bool) async throws -> [[String: Any]] {
            let deadline = Date().addingTimeInterval(120)
            var log = try await forge.snapshot().log
            while !condition(log), Date() < deadline {
                try await Task.sleep(for: .milliseconds(100))
                log = try await forge.snapshot().log
            }
            return log
        }

        @Test("SSH to the world: the review shows the finding and the new edge; merged, it is refused and reported; waived, it applies")
        func sshToTheWorld() async throws {
            let forge = try FakeForge()
            let fixture = try AgentTests().exampleRepository()
            let work = try TempRepo.empty()
            let agent = try AgentProcess(
                repo: fixture.url, state: work.url.appendingPathComponent("state"), extra: ["--forge", "github:acme/infra"],
                environment: [
                    "PLUMB_GITHUB_TOKEN": "gh-token", "PLUMB_GITHUB_API_URL": forge.url, "PLUMB_NOTIFY_URL": "\(forge.url)/chat",
                ])
            let base = try fixture.git("rev-parse", "HEAD")
            _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == base }

            // The request.
            try fixture.git("checkout", "-q", "-b", "bastion")
            try fixture.write("Desired/network/bastion.yaml", Self.bastion)
            let request = try fixture.commit("Open SSH on a bastion")
            try fixture.git("checkout", "-q", "main")
            let event =
                #"{"action":"opened","number":7,"pull_request":{"head":{"sha":"\#(request)","ref":"bastion"},"base":{"ref":"main"}},"repository":{"full_name":"acme/infra"}}"#
            #expect(try await agent.github("pull_request", event).status == 202)
            var comment = ""
            let deadline = Date().addingTimeInterval(120)
            while !comment.contains("sg-world-admin-port"), Date() < deadline {
                try await Task.sleep(for: .milliseconds(100))
                comment = try await forge.snapshot().comments.compactMap { $0["body"] as? String }.first { $0.contains("Plumb plan") } ?? ""
            }
            #expect(comment.contains(":no_entry: deny `sg-world-admin-port` `net.security_group/bastion`"), "\(comment)")
            #expect(comment.contains("```mermaid") && comment.contains("class sg_bastion created"), "\(comment)")
            #expect(comment.contains(#"cidr_0_2E0_2E0_2E0_2F0 -->|"tcp 22"| sg_bastion"#), "the new edge is drawn")

            // Merged as it is: refused, the commit turns red, the team hears of it.
            try fixture.git("merge", "-q", "--ff-only", "bastion")
            let merged = try fixture.git("rev-parse", "HEAD")
            #expect(
                try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(merged)","repository":{"full_name":"acme/infra"}}"#).status
                    == 202)
            let statusPath = "/repos/acme/infra/statuses/\(merged)"
            let log = try await waitFor(forge) { log in
                log.contains { $0["path"] as? String == statusPath && ($0["body"] as? [String: Any])?["state"] as? String == "failure" }
                    && log.contains { $0["path"] as? String == "/chat" }
            }
            let failure = log.first { $0["path"] as? String == statusPath && ($0["body"] as? [String: Any])?["state"] as? String == "failure" }
            let description = (failure?["body"] as? [String: Any])?["description"] as? String ?? ""
            #expect(description.contains("sg-world-admin-port"), "the status says why: \(log.map { "\($0["path"] ?? "") \($0["body"] ?? "")" })")
            let chat = log.first { $0["path"] as? String == "/chat" }?["body"] as? [String: Any]
            #expect((chat?["text"] as? String ?? "").contains("sg-world-admin-port"), "\(chat ?? [:])")
            let status = try await agent.json("/status")
            #expect(status["last_applied_commit"] as? String == base, "the refused commit is not applied")

            // Waived with a reason: applied, and the reason is in the run's plan.
            try fixture.write(
                "Desired/network/bastion.yaml", Self.bastion + "    waive: {sg-world-admin-port: \"bastion, reviewed 2026-12 by SEC-42\"}\n")
            let waived = try fixture.commit("Waive the bastion's SSH, reviewed")
            #expect(
                try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(waived)","repository":{"full_name":"acme/infra"}}"#).status
                    == 202)
            let applied = try await agent.waitForStatus { $0["last_applied_commit"] as? String == waived }
            #expect(applied["last_applied_commit"] as? String == waived, "\(applied)")
            let run = (applied["last_run"] as? [String: Any])?["id"] as? Int ?? 0
            let stored = String(decoding: try await agent.get("/runs/\(run)").body, as: UTF8.self)
            #expect(
                stored.contains("bastion, reviewed 2026-12 by SEC-42"), "the waiver's reason is in the applied run's plan: \(stored.prefix(1500))")
            // The status page shows the stack's diagram, drawn by Graphviz at the applied commit.
            let page = String(decoding: try await agent.get("/").body, as: UTF8.self)
            #expect(page.contains("<img src=\"/graph/example\""), "\(page.prefix(800))")
            let svg = try await agent.get("/graph/example")
            #expect(svg.status == 200)
            #expect(String(decoding: svg.body, as: UTF8.self).contains("security group bastion"))
            #expect(agent.stop() == 0)
        }
    }
}
