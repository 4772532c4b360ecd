import Foundation
import PlumbCore
import PlumbProviderKit
import PlumbRunner
import Prometheus

/// `/metrics`: every series is named `plumb_*`.
public final class AgentMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let runDuration: DurationHistogram
    private let lastSuccess: Gauge
    private static let buckets: [Duration] = [
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        .seconds(30), .seconds(60), .seconds(300),
    ]

    public init() {
        runDuration = registry.makeDurationHistogram(
            descriptor: Self.describe("plumb_run_duration_seconds", "Duration of reconcile runs"), buckets: Self.buckets)
        lastSuccess = registry.makeGauge(
            descriptor: Self.describe("plumb_last_successful_apply_timestamp_seconds", "Unix time of the last successful apply"))
    }

    func recordRun(outcome: ApplyOutcome, seconds: Double) {
        let result = outcome.result.status.rawValue
        registry.makeCounter(descriptor: Self.describe("plumb_runs_total", "Reconcile runs by result"), labels: [("result", result)]).increment()
        runDuration.recordSeconds(seconds)
        for timing in outcome.timings {
            registry.makeDurationHistogram(
                descriptor: Self.describe("plumb_stage_duration_seconds", "Duration of run stages"), labels: [("stage", timing.stage)],
                buckets: Self.buckets
            )
            .recordSeconds(timing.seconds)
        }
        for chunk in outcome.result.chunks {
            for change in chunk.changes where change.status == .applied {
                registry.makeCounter(
                    descriptor: Self.describe("plumb_changes_applied_total", "Changes applied by action and kind"),
                    labels: [("action", change.action.rawValue), ("kind", change.address.kind.rawValue)]
                ).increment()
            }
        }
        if outcome.result.status == .succeeded || outcome.result.status == .unchanged { lastSuccess.set(Date().timeIntervalSince1970) }
    }

    /// A reconcile that stopped outside the apply loop; `kind` is `RunnerError.Kind`'s raw
    /// value, or `other` for errors without one.
    func recordFailure(kind: String) {
        registry.makeCounter(descriptor: Self.describe("plumb_runs_total", "Reconcile runs by result"), labels: [("result", "error")]).increment()
        registry.makeCounter(
            descriptor: Self.describe("plumb_reconcile_errors_total", "Reconciles that stopped before or outside the apply loop, by kind"),
            labels: [("kind", kind)]
        ).increment()
    }

    func recordDrift(_ summary: DriftReport.Summary, stack: String) {
        for (state, value) in [("modified", summary.modified), ("missing", summary.missing), ("unmanaged", summary.unmanaged)] {
            registry.makeGauge(
                descriptor: Self.describe("plumb_drift_resources", "Resources drifted from the desired state"),
                labels: [("stack", stack), ("state", state)]
            ).set(Double(value))
        }
    }

    /// Whether the store answered the last heartbeat, and how many stack leases this agent holds.
    func recordStore(available: Bool, leases: Int) {
        recordStoreUp(available)
        registry.makeGauge(descriptor: Self.describe("plumb_stack_leases_held", "Stacks this agent holds the lease of")).set(Double(leases))
    }

    func recordStoreUp(_ up: Bool) {
        registry.makeGauge(descriptor: Self.describe("plumb_store_up", "1 while the store answers and checks out, else 0")).set(up ? 1.0 : 0.0)
    }

    func recordWebhook(source: String, result: String) {
        registry.makeCounter(
            descriptor: Self.describe("plumb_webhooks_total", "Webhook deliveries by result"), labels: [("source", source), ("result", result)]
        ).increment()
    }

    private let seen = ProviderCounts()

    /// Brings provider request and retry counters up to date, then renders every series.
    public func text() -> String {
        for (binding, requests, retries) in ProviderTransport.statistics() {
            let (newRequests, newRetries) = seen.delta(binding: binding, requests: requests, retries: retries)
            registry.makeCounter(
                descriptor: Self.describe("plumb_provider_requests_total", "HTTP requests sent to providers, retries included"),
                labels: [("provider", binding)]
            )
            .increment(by: Int64(newRequests))
            registry.makeCounter(
                descriptor: Self.describe("plumb_provider_retries_total", "Provider requests that were retries"), labels: [("provider", binding)]
            )
            .increment(by: Int64(newRetries))
        }
        return registry.emitToString()
    }

    /// The descriptor wants a name's unit (`_total`, `_seconds`) apart; it joins them again.
    static func describe(_ name: String, _ help: String) -> MetricNameDescriptor {
        for unit in ["total", "seconds"] where name.hasSuffix("_" + unit) {
            return MetricNameDescriptor(metricName: String(name.dropLast(unit.count + 1)), unitName: unit, helpText: help)
        }
        return MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

extension DurationHistogram {
    func recordSeconds(_ seconds: Double) {
        record(.milliseconds(Int64(seconds * 1000)))
    }
}

/// The provider counts already turned into metrics, so each scrape adds only what is new.
private final class ProviderCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var last: [String: (Int, Int)] = [:]

    func delta(binding: String, requests: Int, retries: Int) -> (Int, Int) {
        lock.lock()
        defer { lock.unlock() }
        let previous = last[binding] ?? (0, 0)
        last[binding] = (requests, retries)
        return (max(0, requests - previous.0), max(0, retries - previous.1))
    }
}
