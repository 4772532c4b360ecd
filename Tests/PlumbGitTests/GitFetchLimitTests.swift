import Foundation
import PlumbGit
import PlumbTestSupport
import Testing

/// libgit2 1.5 has no network timeouts: these fetches used to block for good (#18).
/// The blocking variants measure the limits tightly; the async ones allow more, because
/// their result waits for a free thread of this process's task pool, which blocking waits
/// of other suites (AgentProcess's start-up) may hold for seconds.
@Suite("git fetches: connect and stall timeouts, cancellation")
struct GitFetchLimitTests {
    func mirror(port: Int) throws -> GitRepository {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-git-\(UUID().uuidString)").path
        return try GitRepository.openMirror(url: "http://127.0.0.1:\(port)/infra.git", into: directory)
    }

    @Test("a remote that accepts and never answers fails the fetch within the stall timeout")
    func stalled() async throws {
        let server = try SilentServer()
        let repository = try mirror(port: server.port)
        let started = ContinuousClock.now
        let error = await #expect(throws: GitError.self) {
            try await repository.fetch(options: GitFetchOptions(stallTimeout: .seconds(1)))
        }
        #expect(error?.code == .timedOut)
        #expect(error?.message.contains("stall timeout") == true)
        #expect(ContinuousClock.now - started < .seconds(30), "the stall timeout was 1 s; without it the fetch never ends")
    }

    @Test("an SSH remote that accepts and never answers is stopped by the watchdog within the stall timeout", .timeLimit(.minutes(1)))
    func stalledSSH() async throws {
        // libssh2 waits for the server's banner in its own read, outside the socket stream
        // the HTTP transport's timeouts live in: only the fetch's watchdog can end it.
        let server = try SilentServer()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-git-\(UUID().uuidString)").path
        let repository = try GitRepository.openMirror(url: "ssh://git@127.0.0.1:\(server.port)/infra.git", into: directory)
        let started = ContinuousClock.now
        let error = await #expect(throws: GitError.self) {
            try await repository.fetch(options: GitFetchOptions(stallTimeout: .seconds(1)))
        }
        #expect(error?.code == .timedOut, "\(String(describing: error))")
        #expect(ContinuousClock.now - started < .seconds(30), "the stall timeout was 1 s; without the watchdog the fetch never ends")
    }

    @Test("the blocking fetch (the CLI's) fails within the stall timeout too")
    func stalledBlocking() throws {
        let server = try SilentServer()
        let repository = try mirror(port: server.port)
        let started = ContinuousClock.now
        let error = #expect(throws: GitError.self) {
            try repository.fetch(options: GitFetchOptions(stallTimeout: .seconds(1)))
        }
        #expect(error?.code == .timedOut)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("cancellation stops a fetch waiting on a silent remote at once, and refuses later fetches")
    func cancelled() async throws {
        let server = try SilentServer()
        let repository = try mirror(port: server.port)
        let cancellation = GitCancellation()
        let options = GitFetchOptions(stallTimeout: .seconds(60), cancellation: cancellation)
        let fetch = Task { try await repository.fetch(options: options) }
        try await Task.sleep(for: .milliseconds(500))
        let started = ContinuousClock.now
        cancellation.cancel("shutting down")
        let error = await #expect(throws: GitError.self) { try await fetch.value }
        #expect(error?.code == .cancelled)
        #expect(ContinuousClock.now - started < .seconds(30), "the stall timeout was 60 s: only the cancellation ends it sooner")
        let later = await #expect(throws: GitError.self) { try await repository.fetch(options: options) }
        #expect(later?.code == .cancelled)
    }

    @Test("a connect that is never answered fails within the connect timeout")
    func connectTimeout() throws {
        let server = try SilentServer(backlog: 0)
        server.fill()
        let repository = try mirror(port: server.port)
        let started = ContinuousClock.now
        let error = #expect(throws: GitError.self) {
            try repository.fetch(options: GitFetchOptions(connectTimeout: .seconds(1), stallTimeout: .seconds(60)))
        }
        #expect(error?.code == .timedOut)
        #expect(error?.message.contains("connect timeout") == true)
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}
