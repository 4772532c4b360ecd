import Foundation
import PlumbGit
import PlumbHTTP
import PlumbTestSupport
import Testing

@testable import PlumbAgent

/// After a failed fetch the remote is left alone for a while: 1 s, doubling to a minute.
/// Every stack of a repository, every poll and every webhook asks the same fetcher, so an
/// unreachable remote costs one attempt per backoff, not one per caller (#18).
@Suite("mirror fetches back off after a failure")
struct MirrorFetcherTests {
    /// Accepts connections, counts them and closes each at once: every fetch fails fast.
    final class HangingUpServer: @unchecked Sendable {
        let port: Int
        private let socket: Int32
        private let accepted = Locked(0)
        var connections: Int { accepted.withLock { $0 } }

        init() throws {
            (socket, port) = try SilentServer.listening()
            let socket = self.socket
            let accepted = self.accepted
            Thread.detachNewThread {
                while true {
                    let client = accept(socket, nil, nil)
                    if client < 0 { return }
                    accepted.withLock { $0 += 1 }
                    close(client)
                }
            }
        }

        deinit {
            shutdown(socket, Int32(SHUT_RDWR))
            close(socket)
        }
    }

    @Test("the backoff doubles from 1 s and stops at a minute")
    func schedule() {
        #expect((1...8).map { MirrorFetcher.backoff(failures: $0) } == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(MirrorFetcher.backoff(failures: 0) == .zero)
        #expect(MirrorFetcher.backoff(failures: 10_000) == .seconds(60), "no overflow however long the remote is down")
    }

    @Test("callers within the backoff get the last error without a connection; after it, one fetch tries again")
    func leavesTheRemoteAlone() async throws {
        let server = try HangingUpServer()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-backoff-\(UUID().uuidString)").path
        let repository = try GitRepository.openMirror(url: "http://127.0.0.1:\(server.port)/infra.git", into: directory)
        let fetcher = MirrorFetcher(options: GitFetchOptions(stallTimeout: .seconds(5)))
        await #expect(throws: GitError.self) { try await fetcher.fetch(repository, askedAt: .now) }
        let first = server.connections
        #expect(first >= 1)
        #expect(await fetcher.state.lastError != nil, "/status shows the failure")
        // Ten callers at once within the first second: none reaches the remote.
        for _ in 0..<10 {
            await #expect(throws: GitError.self) { try await fetcher.fetch(repository, askedAt: .now) }
        }
        #expect(server.connections == first, "within the backoff the remote is not asked again")
        // Past the first backoff (1 s) the next caller tries again, once.
        try await Task.sleep(for: .milliseconds(1200))
        await #expect(throws: GitError.self) { try await fetcher.fetch(repository, askedAt: .now) }
        let second = server.connections
        #expect(second > first)
        // The backoff is now 2 s: a caller 1.2 s later is still answered from the last error.
        try await Task.sleep(for: .milliseconds(1200))
        await #expect(throws: GitError.self) { try await fetcher.fetch(repository, askedAt: .now) }
        #expect(server.connections == second, "the second backoff is longer than the first")
    }
}
