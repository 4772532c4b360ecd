import Foundation
import PlumbRunner
import PlumbTestSupport
import Testing

/// An agent pass loads a commit (its stack's name, the push's focus) before the apply, which
/// then finds it loaded: the run's "load" stage must still say what loading it cost.
@Suite("the load stage of a commit loaded before its apply")
struct LoadStageTests {
    @Test("the apply records the first load's duration, not the cached load's 0 ms")
    func loadStage() async throws {
        let fixture = try EndToEnd.AgentTests().exampleRepository()
        let state = try TempRepo.empty().url.appendingPathComponent("state").path
        let workspace = try Workspace.open(root: nil, repo: fixture.url.path, ref: "HEAD", stateDirectory: state)
        let first = try workspace.loadDesiredTimed()
        #expect(first.seconds > 0)
        #expect(try workspace.loadDesiredTimed().seconds == first.seconds)
        let outcome = try await workspace.apply(ApplyRequest())
        let load = try #require(outcome.timings.first { $0.stage == "load" })
        #expect(load.seconds == first.seconds)
    }
}
