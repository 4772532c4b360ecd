import Foundation
import PlumbGit

/// Fetches a mirror for everyone who asks: a caller is served by any fetch that started
/// after it asked, so one push that triggers every stack of a repository costs one fetch.
/// Every fetch has the agent's connect and stall timeouts and its shutdown cancellation.
/// After a failure the remote is left alone for a while (1 s, doubling to a minute): callers
/// in between get the last error at once instead of another wait on an unreachable remote.
actor MirrorFetcher {
    let options: GitFetchOptions
    private var lastStart: ContinuousClock.Instant?
    /// The fetch under way: when it started, and its outcome for everyone waiting on it.
    private var running: (start: ContinuousClock.Instant, task: Task<Void, any Error>)?
    private var failures = 0
    private var retryAfter: ContinuousClock.Instant?
    private var lastFailure: (any Error)?
    /// What `/status` shows.
    private(set) var state = FetchState()

    static let firstBackoff: Duration = .seconds(1)
    static let maximumBackoff: Duration = .seconds(60)

    init(options: GitFetchOptions) {
        self.options = options
    }

    func fetch(_ repository: GitRepository, askedAt: ContinuousClock.Instant) async throws {
        while true {
            if let lastStart, lastStart >= askedAt { return }
            if let running {
                // A fetch that started after the caller asked serves it; an older one is
                // waited out, then the loop starts a new one.
                if running.start >= askedAt { return try await running.task.value }
                _ = try? await running.task.value
                continue
            }
            if let retryAfter, ContinuousClock.now < retryAfter, let lastFailure { throw lastFailure }
            let start = ContinuousClock.now
            let options = self.options
            let task = Task { try await repository.fetch(options: options) }
            running = (start, task)
            state.fetchingSince = Date()
            defer {
                running = nil
                state.fetchingSince = nil
            }
            do {
                try await task.value
                // Only a fetch that succeeded serves those who asked before it started.
                lastStart = start
                (failures, retryAfter, lastFailure) = (0, nil, nil)
                state.lastError = nil
                return
            } catch {
                failures += 1
                retryAfter = .now + Self.backoff(failures: failures)
                lastFailure = error
                state.lastError = "\(error)"
                state.lastErrorAt = Date()
                throw error
            }
        }
    }

    /// 1 s after the first failure, doubling, at most a minute (a poll's worth).
    static func backoff(failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        let seconds = min(maximumBackoff.components.seconds, firstBackoff.components.seconds << min(failures - 1, 20))
        return .seconds(seconds)
    }
}

/// A mirror's fetching as `/status` tells it.
struct FetchState: Sendable {
    var fetchingSince: Date?
    var lastError: String?
    var lastErrorAt: Date?
}
