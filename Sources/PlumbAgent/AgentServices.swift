import Foundation
import Logging
import ServiceLifecycle

/// Reconciles whenever a trigger arrives. On graceful shutdown the run in flight finishes
/// its chunk, the rest is skipped and the run recorded as interrupted.
struct ReconcileService: Service {
    let reconciler: Reconciler

    func run() async throws {
        let reconciler = self.reconciler
        await withGracefulShutdownHandler {
            await reconciler.runLoop()
        } onGracefulShutdown: {
            reconciler.stopFlag.set()
            reconciler.finishTriggers()
        }
    }
}

/// Keeps leases every `interval`, from the start; hands them all back on shutdown.
struct LeaseService: Service {
    let keeper: LeaseKeeper
    let interval: Duration

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await keeper.tick()
            try? await gracefulSleep(interval)
        }
        await keeper.releaseAll()
    }
}

/// Polls the branch every `interval`.
struct PollService: Service {
    let reconciler: Reconciler
    let interval: Duration

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await gracefulSleep(interval)
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            reconciler.trigger(.headMoved(.poll, head: nil))
        }
    }
}

/// A drift pass every `interval`.
struct DriftService: Service {
    let reconciler: Reconciler
    let interval: Duration

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await gracefulSleep(interval)
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            // The store's integrity is checked every pass, whether or not the pass touches it.
            await reconciler.storeChecked(problem: await reconciler.monitor.check())
            await reconciler.driftPass()
        }
    }
}

/// Ends the event streams on graceful shutdown: the server waits for open responses, and
/// an event stream would otherwise never end.
struct EventBusService: Service {
    let bus: EventBus

    func run() async throws {
        try? await gracefulShutdown()
        bus.finish()
    }
}

/// Sleeps, returning early on graceful shutdown.
func gracefulSleep(_ duration: Duration) async throws {
    try await cancelWhenGracefulShutdown {
        try await Task.sleep(for: duration)
    }
}
