import Foundation
import PlumbCore
import PlumbRunner
import PlumbStore
import Testing

/// The runner's errors carry a kind for code (SPEC §8.4's exit codes, the agent's `/status`,
/// metrics, statuses and notifications): pinned by kind, never by message text.
@Suite("runner error kinds")
struct RunnerErrorKindTests {
    func kind(_ body: () async throws -> Void) async -> RunnerError.Kind? {
        do {
            try await body()
            return nil
        } catch let error as RunnerError {
            return error.kind
        } catch {
            return nil
        }
    }

    @Test("invalid input, a missing root, an unreadable repository, a held lock")
    func kinds() async throws {
        let repo = try TempRepo.example()
        try repo.write("Desired/broken.yaml", "records: [unclosed\n")
        let state = repo.url.appendingPathComponent(".plumb").path
        #expect(await kind { _ = try Workspace.open(root: repo.url.path, repo: nil, ref: nil, stateDirectory: state).loadDesired() } == .invalidInput)
        #expect(await kind { _ = try Workspace.open(root: repo.url.path + "/nowhere", repo: nil, ref: nil, stateDirectory: state) } == .invalidInput)
        #expect(await kind { _ = try Workspace.open(root: nil, repo: repo.url.path, ref: "HEAD", stateDirectory: state) } == .git)
        #expect(
            await kind { _ = try await StoreOpener.open("mysql://x", stateDirectory: state, agent: nil, logger: .init(label: "test")) }
                == .invalidInput)

        let good = try TempRepo.example()
        let goodState = good.url.appendingPathComponent(".plumb").path
        try FileManager.default.createDirectory(atPath: goodState, withIntermediateDirectories: true)
        let lock = try StackLock(directory: goodState, stack: "example", purpose: "a test holding it")
        var request = ApplyRequest()
        request.command = "apply"
        #expect(
            await kind { _ = try await Workspace.open(root: good.url.path, repo: nil, ref: nil, stateDirectory: goodState).apply(request) }
                == .lockHeld)
        withExtendedLifetime(lock) {}
        #expect(
            Set(RunnerError.Kind.allCases.map(\.rawValue)) == [
                "lock_held", "lease_held", "stale_plan", "refused", "describe_failed", "store", "git", "invalid_input",
            ])
    }
}
