import Foundation
import Logging
import PlumbCore
import PlumbTestSupport
import PlumbWebhooks
import Testing

@testable import PlumbAgent

/// Commit statuses and notifications, sent by `Feedback` from the agent's events to a fake
/// forge and a fake chat endpoint on loopback (ScriptedHTTPServer records every request).
@Suite("commit statuses and notifications")
struct FeedbackTests {
    static let commit = String(repeating: "3f2c", count: 10)

    func feedback(_ environment: [String: String], repo: String = "/srv/git/infra.git", forge: ForgeRepository? = nil) -> Feedback {
        var stack = StackConfiguration(repo: repo)
        stack.name = "prod"
        stack.forge = forge
        var configuration = AgentConfiguration(stacks: [stack])
        configuration.environment = environment
        return Feedback(configuration: configuration, origins: WebhookOrigins(), logger: Logger(label: "test"))
    }

    func run(_ outcome: AgentEvent.Outcome, error: String? = nil, run: Int64 = 7) -> [AgentEvent] {
        var started = AgentEvent(type: .runStarted, stack: "prod", commit: Self.commit)
        started.author = "Ann Example <ann@example.com>"
        var finished = started
        finished.type = .runFinished
        finished.run = run
        finished.outcome = outcome
        finished.error = error
        var figures = AgentEvent.RunFigures()
        (figures.changes, figures.chunks, figures.checksPassed) = (38, 8, 4)
        finished.summary = figures
        return [started, finished]
    }

    struct ForgeCase: Sendable, CustomTestStringConvertible {
        var forge: WebhookEvent.Source
        var path: String
        var environment: @Sendable (String) -> [String: String]
        var statusPath: String
        var authHeader: String
        var authValue: String
        var contextKey: String
        var failureState: String
        var testDescription: String { forge.rawValue }
    }

    static let forges: [ForgeCase] = [
        ForgeCase(
            forge: .github, path: "acme/infra", environment: { ["PLUMB_GITHUB_TOKEN": "gh-token", "PLUMB_GITHUB_API_URL": $0] },
            statusPath: "/repos/acme/infra/statuses/\(commit)", authHeader: "Authorization", authValue: "Bearer gh-token",
            contextKey: "context", failureState: "failure"),
        ForgeCase(
            forge: .gitlab, path: "acme/platform/infra", environment: { ["PLUMB_GITLAB_TOKEN": "gl-token", "PLUMB_GITLAB_API_URL": $0 + "/api/v4"] },
            statusPath: "/api/v4/projects/acme%2Fplatform%2Finfra/statuses/\(commit)", authHeader: "PRIVATE-TOKEN", authValue: "gl-token",
            contextKey: "name", failureState: "failed"),
        ForgeCase(
            forge: .gitea, path: "acme/infra", environment: { ["PLUMB_GITEA_TOKEN": "gt-token", "PLUMB_GITEA_API_URL": $0 + "/api/v1"] },
            statusPath: "/api/v1/repos/acme/infra/statuses/\(commit)", authHeader: "Authorization", authValue: "token gt-token",
            contextKey: "context", failureState: "failure"),
    ]

    func body(_ request: ScriptedHTTPServer.Request) -> [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(request.body.utf8))) as? [String: String] ?? [:]
    }

    @Test("pending then success for a good commit, pending then failure for a failing one, as each forge's API takes them", arguments: forges)
    func statuses(_ forge: ForgeCase) async throws {
        let server = try ScriptedHTTPServer([], default: .init(status: 201, body: "{}"))
        var environment = forge.environment(server.url)
        environment["PLUMB_PUBLIC_URL"] = "https://plumb.example.com/"
        let feedback = feedback(environment, forge: ForgeRepository(forge: forge.forge, path: forge.path))
        for event in run(.succeeded) + run(.failed, error: "check www-published failed: 192.0.2.99 is not 192.0.2.11", run: 8) {
            await feedback.handle(event)
        }
        let requests = try server.requests()
        #expect(requests.map(\.method) == ["POST", "POST", "POST", "POST"])
        #expect(requests.allSatisfy { $0.path == forge.statusPath })
        #expect(requests.allSatisfy { $0.header(forge.authHeader) == forge.authValue })
        #expect(requests.allSatisfy { $0.header("Content-Type") == "application/json" })
        let bodies = requests.map(body)
        #expect(bodies.map { $0["state"] } == ["pending", "success", "pending", forge.failureState])
        #expect(bodies.allSatisfy { $0[forge.contextKey] == "plumb/prod" })
        #expect(bodies[1]["description"] == "38 changes in 8 chunks; 4 checks passed")
        #expect(bodies[1]["target_url"] == "https://plumb.example.com/runs/7")
        #expect(bodies[3]["description"] == "check www-published failed: 192.0.2.99 is not 192.0.2.11")
        #expect(Set(bodies[3].keys) == ["state", "description", "target_url", forge.contextKey])
        if forge.forge == .github { #expect(requests.allSatisfy { $0.header("Accept") == "application/vnd.github+json" }) }
    }

    @Test("a forge that answers 502 is asked again; one without a token configured is never asked")
    func retries() async throws {
        let server = try ScriptedHTTPServer([.init(status: 502), .init(status: 503)], default: .init(status: 201))
        let feedback = feedback(["PLUMB_GITHUB_TOKEN": "t", "PLUMB_GITHUB_API_URL": server.url], forge: ForgeRepository("github:acme/infra"))
        await feedback.handle(run(.succeeded)[0])
        #expect(try server.requests().count == 3)
        let silent = self.feedback(["PLUMB_GITLAB_TOKEN": "t", "PLUMB_GITLAB_API_URL": server.url], forge: ForgeRepository("github:acme/infra"))
        await silent.handle(run(.succeeded)[0])
        #expect(try server.requests().count == 3)
    }

    @Test("the forge repository: configured, else the repository URL's host, else the webhook's")
    func repositoryChoice() async throws {
        #expect(ForgeRepository("gitlab:acme/platform/infra")?.path == "acme/platform/infra")
        #expect(ForgeRepository("github:acme/infra/extra") == nil)
        #expect(ForgeRepository("github:../x") == nil)
        #expect(ForgeRepository("bitbucket:acme/infra") == nil)
        #expect(ForgeRepository.named(byURL: "https://github.com/acme/infra.git", environment: [:]) == ForgeRepository("github:acme/infra"))
        #expect(ForgeRepository.named(byURL: "git@gitlab.com:acme/infra.git", environment: [:]) == ForgeRepository("gitlab:acme/infra"))
        #expect(
            ForgeRepository.named(byURL: "https://git.acme.test/acme/infra", environment: ["PLUMB_GITEA_API_URL": "https://git.acme.test/api/v1"])
                == ForgeRepository("gitea:acme/infra"))
        #expect(ForgeRepository.named(byURL: "/srv/git/infra.git", environment: [:]) == nil)

        let configured = feedback([:], repo: "https://github.com/acme/infra.git", forge: ForgeRepository("gitea:other/infra"))
        #expect(await configured.repository(stack: "prod", commit: Self.commit) == ForgeRepository("gitea:other/infra"))
        let byURL = feedback([:], repo: "https://github.com/acme/infra.git")
        #expect(await byURL.repository(stack: "prod", commit: Self.commit) == ForgeRepository("github:acme/infra"))
        let byWebhook = feedback([:])
        #expect(await byWebhook.repository(stack: "prod", commit: Self.commit) == nil)
        byWebhook.origins.record(commit: Self.commit, source: .gitlab, repository: "acme/infra")
        #expect(await byWebhook.repository(stack: "prod", commit: Self.commit) == ForgeRepository("gitlab:acme/infra"))
    }

    @Test("one notification per failed run and one on recovery, none for a success; drift appearing and clearing")
    func notifications() async throws {
        let chat = try ScriptedHTTPServer([], default: .init(status: 200, body: "ok"))
        let feedback = feedback(["PLUMB_NOTIFY_URL": chat.url + "/hook", "PLUMB_PUBLIC_URL": "https://plumb.example.com"])
        for event in run(.succeeded) + run(.failed, error: "check www failed: timeout") + run(.invalid, error: "Desired/x.yaml:1:1: bad")
            + run(.succeeded) + run(.succeeded)
        {
            await feedback.handle(event)
        }
        var drift = AgentEvent(type: .driftAppeared, stack: "prod", commit: Self.commit)
        drift.drift = try JSONDecoder().decode(DriftReport.Summary.self, from: Data(#"{"modified":1,"missing":0,"unmanaged":0}"#.utf8))
        drift.addresses = ["dns.record/example.com./www/A"]
        await feedback.handle(drift)
        await feedback.handle(drift)
        drift.type = .driftCleared
        await feedback.handle(drift)
        let bodies = try chat.requests().map { (try? JSONSerialization.jsonObject(with: Data($0.body.utf8))) as? [String: Any] ?? [:] }
        #expect(bodies.map { $0["event"] as? String } == ["run_failed", "run_invalid", "run_recovered", "drift_appeared", "drift_cleared"])
        #expect(try chat.requests().allSatisfy { $0.method == "POST" && $0.path == "/hook" })
        let first = bodies.first ?? [:]
        #expect(first["stack"] as? String == "prod" && first["commit"] as? String == Self.commit && first["run"] as? Int == 7)
        #expect(first["author"] as? String == "Ann Example <ann@example.com>")
        #expect(first["url"] as? String == "https://plumb.example.com/runs/7")
        #expect((first["text"] as? String)?.contains("check www failed: timeout") == true)
        #expect((bodies[3]["text"] as? String)?.contains("dns.record/example.com./www/A") == true)
    }

    @Test("a run error quoting a secret reaches neither the chat nor the forge (SPEC 8.1)")
    func redacted() async throws {
        let server = try ScriptedHTTPServer([], default: .init(status: 201, body: "{}"))
        let secret = "pdns-key-5e1d9c"
        let feedback = feedback(
            ["PLUMB_NOTIFY_URL": server.url + "/hook", "PLUMB_GITHUB_TOKEN": "gh-token", "PLUMB_GITHUB_API_URL": server.url, "PDNS_API_KEY": secret],
            forge: ForgeRepository("github:acme/infra"))
        for event in run(.failed, error: "PowerDNS said 401 for X-API-Key \(secret)") { await feedback.handle(event) }
        let requests = try server.requests()
        #expect(requests.contains { $0.path == "/hook" } && requests.contains { $0.path != "/hook" })
        #expect(requests.allSatisfy { !$0.body.contains(secret) })
        #expect(requests.contains { $0.path == "/hook" && $0.body.contains("X-API-Key ***") })
    }

    @Test("a flapping stack is held to its budget; the next notification says how many were held back")
    func budget() {
        var budget = NotificationBudget(limit: 2, window: 60)
        let start = Date(timeIntervalSince1970: 0)
        #expect(budget.take(stack: "a", at: start) == 0)
        #expect(budget.take(stack: "a", at: start.addingTimeInterval(1)) == 0)
        #expect(budget.take(stack: "a", at: start.addingTimeInterval(2)) == nil)
        #expect(budget.take(stack: "a", at: start.addingTimeInterval(3)) == nil)
        #expect(budget.take(stack: "b", at: start.addingTimeInterval(3)) == 0, "stacks have budgets of their own")
        #expect(budget.take(stack: "a", at: start.addingTimeInterval(61)) == 2)
    }
}
