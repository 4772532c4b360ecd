import Foundation
import PlumbCore

/// A check clock the test drives: sleeping advances it at once, and so does a probe that
/// "takes" some latency. Windows of minutes are judged in microseconds, and every figure is
/// exact.
public final class VirtualClock: CheckClock, @unchecked Sendable {
    private let lock = NSLock()
    private var elapsed: Duration = .zero
    private var sleeps: [Duration] = []

    public init() {}

    public var now: Duration { lock.withLock { elapsed } }

    public func sleep(for duration: Duration) async {
        lock.withLock {
            sleeps.append(duration)
            elapsed += duration
        }
    }

    public func advance(by duration: Duration) {
        lock.withLock { elapsed += duration }
    }

    /// Every sleep asked for, in order.
    public var sleepsTaken: [Duration] { lock.withLock { sleeps } }
}

/// A probe whose answers depend on the virtual time: `script(now)` says whether the sample
/// passes and how long it takes; the clock advances by that latency.
public struct TimedProbe: CheckProbe {
    public struct Answer: Sendable {
        public var passed: Bool
        public var latency: Duration
        public var figures: [String: Double]

        public init(passed: Bool = true, latency: Duration, figures: [String: Double] = [:]) {
            self.passed = passed
            self.latency = latency
            self.figures = figures
        }
    }

    public let clock: VirtualClock
    public let script: @Sendable (Duration) -> Answer

    public init(clock: VirtualClock, script: @escaping @Sendable (Duration) -> Answer) {
        self.clock = clock
        self.script = script
    }

    public func attempt(_ probe: Check.Probe, workingDirectory: String, remaining: Duration) async -> ProbeOutcome {
        let answer = script(clock.now)
        clock.advance(by: answer.latency)
        return ProbeOutcome(passed: answer.passed, detail: answer.passed ? "answered 200" : "answered 500, expected 200", figures: answer.figures)
    }
}
