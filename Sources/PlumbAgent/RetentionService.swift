import Foundation
import Logging
import PlumbGit
import PlumbRunner
import PlumbStore
import ServiceLifecycle

/// `--retain`: at start and then every hour (or every `retention`, when shorter), prunes
/// runs, drift reports and review plans older than `retention` from the store (keeping what
/// `StoreRetention` and `retentionKeeps` name) and the checkouts of commits no remaining
/// run names.
struct RetentionService: Service {
    let store: any StateStore
    let retention: Duration
    let stateDirectory: String
    let monitor: StoreMonitor
    let logger: Logger

    var interval: Duration { min(retention, .seconds(3600)) }

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await prune()
            try? await gracefulSleep(interval)
        }
    }

    func prune() async {
        let cutoff = Date().addingTimeInterval(-retention.seconds)
        do {
            let outcome = try await store.prune(before: cutoff, keeping: try await store.retentionKeeps())
            let checkouts = Checkouts.prune(stateDirectory: stateDirectory, before: cutoff, keeping: outcome.remainingCommits)
            if outcome.runs + outcome.driftReports + outcome.reviewPlans + checkouts > 0 {
                logger.info(
                    "pruned what is older than the retention",
                    metadata: [
                        "runs": "\(outcome.runs)", "drift_reports": "\(outcome.driftReports)",
                        "review_plans": "\(outcome.reviewPlans)", "checkouts": "\(checkouts)",
                    ])
            }
        } catch {
            logger.error("pruning failed", metadata: ["error": "\(error)"])
            await monitor.check()
        }
    }
}

/// Cancels every git fetch under way, and refuses new ones, as soon as graceful shutdown
/// starts. Listed last, so the service group tells it first: nothing else waits on a remote
/// that does not answer.
struct GitShutdownService: Service {
    let cancellation: GitCancellation

    func run() async throws {
        try? await gracefulShutdown()
        cancellation.cancel("the agent is shutting down")
    }
}
