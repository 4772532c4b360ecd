import Foundation

/// A token bucket: at most `rate` requests per second on average, bursts up to `burst`.
/// Shared by everything that uses one binding (plans, applies, drift passes), so Plumb never
/// throttles an account on its own.
public actor RateLimiter {
    private let rate: Double
    private let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant

    public init(rate: Double, burst: Double? = nil) {
        self.rate = max(rate, 0.001)
        self.burst = max(burst ?? max(rate, 1), 1)
        tokens = self.burst
        last = .now
    }

    /// Waits until a request may be sent.
    public func acquire() async throws {
        while true {
            let now = ContinuousClock.now
            let elapsed = now - last
            last = now
            tokens = min(burst, tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            if tokens >= 1 {
                tokens -= 1
                return
            }
            let wait = (1 - tokens) / rate
            try await Task.sleep(for: .milliseconds(Int64(wait * 1000) + 1))
        }
    }
}

/// Limits how many operations run at once.
public actor ConcurrencyLimiter {
    private let limit: Int
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    public func acquire() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func release() {
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// Runs `body` within the limit.
    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        do {
            let value = try await body()
            release()
            return value
        } catch {
            release()
            throw error
        }
    }
}
