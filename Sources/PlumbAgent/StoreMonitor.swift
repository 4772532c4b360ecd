import Foundation
import Logging
import PlumbStore

/// Whether the store is sound: a quick integrity check at start, on every drift pass and
/// after any failed reconcile or drift pass. A failed check makes the store unavailable on
/// `/healthz` (503), `/status` (`store.available: false`, every stack's `last_error`),
/// `/metrics` (`plumb_store_up 0`) and the page (red), and stops the agent taking leases, until
/// a check passes again.
actor StoreMonitor {
    let store: any StateStore
    let metrics: AgentMetrics
    let logger: Logger
    /// What the last failed check found; nil while the store checks out.
    private(set) var problem: String?

    init(store: any StateStore, metrics: AgentMetrics, logger: Logger) {
        self.store = store
        self.metrics = metrics
        self.logger = logger
    }

    /// Runs the check; returns what it found (nil: sound).
    @discardableResult
    func check() async -> String? {
        do {
            try await store.checkIntegrity()
            if problem != nil { logger.notice("the store passes its integrity check again", metadata: ["store": "\(store.location)"]) }
            problem = nil
        } catch {
            if problem == nil { logger.error("the store is damaged or unreachable", metadata: ["error": "\(error)"]) }
            problem = "\(error)"
            metrics.recordStoreUp(false)
        }
        return problem
    }
}
