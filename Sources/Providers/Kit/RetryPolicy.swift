import Foundation

/// Bounded retries with exponential backoff and full jitter, for transient provider
/// failures (5xx, throttling, timeouts, refused connections). Never for 4xx.
public struct RetryPolicy: Sendable {
    public var attempts: Int
    public var base: Duration
    public var cap: Duration

    public init(attempts: Int = 4, base: Duration = .milliseconds(200), cap: Duration = .seconds(5)) {
        self.attempts = max(1, attempts)
        self.base = base
        self.cap = cap
    }

    /// The delay before retry number `retry` (1-based): random in [0, min(cap, base·2^retry)],
    /// or the server's `Retry-After` when it gave one (bounded by the cap).
    public func delay(retry: Int, retryAfter: Duration? = nil) -> Duration {
        if let retryAfter { return min(retryAfter, cap) }
        let ceiling = min(
            Double(cap.components.seconds) + Double(cap.components.attoseconds) / 1e18,
            (Double(base.components.seconds) + Double(base.components.attoseconds) / 1e18) * pow(2, Double(retry)))
        return .milliseconds(Int64(Double.random(in: 0...ceiling) * 1000))
    }
}

/// What a retried operation decided about one attempt.
public enum AttemptOutcome<T: Sendable>: Sendable {
    case success(T)
    /// Worth retrying; the error to throw if no attempt is left.
    case retry(any Error, retryAfter: Duration?)
    case failure(any Error)
}

extension RetryPolicy {
    /// Runs `attempt` until it succeeds, fails for good, or the attempts run out.
    public func run<T: Sendable>(_ attempt: @Sendable (Int) async -> AttemptOutcome<T>) async throws -> T {
        var number = 1
        while true {
            switch await attempt(number) {
            case .success(let value):
                return value
            case .failure(let error):
                throw error
            case .retry(let error, let retryAfter):
                guard number < attempts else { throw error }
                try await Task.sleep(for: delay(retry: number, retryAfter: retryAfter))
                number += 1
            }
        }
    }
}
