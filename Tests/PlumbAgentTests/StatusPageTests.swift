import Foundation
import PlumbCore
import PlumbStore
import Testing

@testable import PlumbAgent

@Suite("the status page")
struct StatusPageTests {
    /// The page reads the stack's status and the store's runs one after the other; a run that
    /// finished in between must not show as a red row under a green health (seen in CI: the
    /// page refreshed on a drift event between the two).
    @Test("a failed run the store has but the status does not yet name still turns the health red, with its error")
    func runNewerThanStatus() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-status-page-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteStateStore(directory: directory.path)
        let origin = RunOrigin(kind: .apply, trigger: .webhook)
        let first = try await store.beginRun(stack: "site", command: "agent", origin: origin, source: PlanSource(root: "/srv/site"), commit: nil)
        try await store.finishRun(first, status: .succeeded, plan: nil, result: nil, error: nil)
        let second = try await store.beginRun(stack: "site", command: "agent", origin: origin, source: PlanSource(root: "/srv/site"), commit: nil)
        try await store.finishRun(second, status: .failed, plan: nil, result: nil, error: "check www-published failed: no answer")
        let runs = try await store.runs(limit: 30)

        var stack = StackStatus(configuration: StackConfiguration(repo: "/srv/site"))
        stack.stack = "site"
        stack.lastRun = try await store.run(first).map(RunSummary.init)
        let page = StatusPage.render(status: AgentStatus(agent: "a", store: StoreHealth(location: "state.sqlite"), stacks: [stack]), runs: runs)
        #expect(page.contains("<p id=\"health\" class=\"bad\">last run \(second) failed: check www-published failed: no answer</p>"), "\(page)")

        // The status caught up: the same words, no doubled error.
        stack.lastRun = try await store.run(second).map(RunSummary.init)
        stack.lastError = "check www-published failed: no answer"
        let caughtUp = StatusPage.render(status: AgentStatus(agent: "a", store: StoreHealth(location: "state.sqlite"), stacks: [stack]), runs: runs)
        #expect(caughtUp.contains("<p id=\"health\" class=\"bad\">last run \(second) failed: check www-published failed: no answer</p>"))

        // A run still under way says nothing yet about health.
        let third = try await store.beginRun(stack: "site", command: "agent", origin: origin, source: PlanSource(root: "/srv/site"), commit: nil)
        stack.lastRun = try await store.run(first).map(RunSummary.init)
        stack.lastError = nil
        let running = StatusPage.render(
            status: AgentStatus(agent: "a", store: StoreHealth(location: "state.sqlite"), stacks: [stack]),
            runs: [try #require(try await store.run(third))])
        #expect(running.contains("<p id=\"health\" class=\"ok\">healthy</p>"))
    }
}
