import PlumbTestSupport
import Testing

@testable import PlumbCore

/// The executor's time: retries bounded by `timeout:`, then the `hold:` window, on a clock the
/// test drives (no real waiting).
@Suite("Check samples and hold windows")
struct CheckHoldTests {
    static func check(timeout: Duration = .seconds(2), _ measure: CheckMeasure) -> Check {
        Check(name: "api", probe: .http(url: "http://127.0.0.1:1/", status: 200, contains: nil), timeout: timeout, measure: measure)
    }

    static func run(_ check: Check, script: @escaping @Sendable (Duration) -> TimedProbe.Answer) async -> (CheckResult, VirtualClock) {
        let clock = VirtualClock()
        let executor = CheckExecutor(
            probe: TimedProbe(clock: clock, script: script), workingDirectory: "/", retryDelay: .milliseconds(250), clock: clock)
        return (await executor.run(check), clock)
    }

    @Test("samples are spaced by interval and judged together")
    func samplesSpaced() async {
        let measure = CheckMeasure(samples: 5, interval: .milliseconds(100), bounds: [.p95: .milliseconds(200)])
        let (result, clock) = await Self.run(Self.check(measure)) { _ in .init(latency: .milliseconds(50)) }
        #expect(result.passed)
        #expect(result.attempts == 1)
        #expect(clock.sleepsTaken == Array(repeating: .milliseconds(100), count: 4))
        #expect(result.figures?["p95_ms"] == 50)
        #expect(result.durationMs == 650, "5 samples of 50 ms and 4 intervals of 100 ms")
    }

    @Test("a latency bound that never holds is retried until the timeout and fails with the measured percentile")
    func slowFails() async {
        let measure = CheckMeasure(samples: 5, interval: .milliseconds(100), bounds: [.p95: .milliseconds(200)])
        let (result, _) = await Self.run(Self.check(timeout: .seconds(3), measure)) { _ in .init(latency: .milliseconds(400)) }
        #expect(!result.passed)
        #expect(result.attempts == 2, "each attempt takes 2.4 s of the 3 s timeout")
        #expect(result.figures?["p95_ms"] == 400)
        #expect(result.detail.contains("p95 400 ms > 200 ms"), "\(result.detail)")
    }

    @Test("timeout bounds the retries until the first pass")
    func timeoutBoundsRetries() async {
        let measure = CheckMeasure(hold: .seconds(1))
        let late: @Sendable (Duration) -> TimedProbe.Answer = { now in .init(passed: now >= .seconds(2), latency: .milliseconds(10)) }
        let (tooShort, _) = await Self.run(Self.check(timeout: .seconds(1), measure), script: late)
        #expect(!tooShort.passed)
        let (longEnough, _) = await Self.run(Self.check(timeout: .seconds(3), measure), script: late)
        #expect(longEnough.passed)
    }

    @Test("hold: 5s fails when the service starts failing three seconds after the first pass")
    func holdBroken() async {
        let measure = CheckMeasure(interval: .milliseconds(250), hold: .seconds(5))
        let (result, clock) = await Self.run(Self.check(measure)) { now in .init(passed: now < .seconds(3), latency: .milliseconds(10)) }
        #expect(!result.passed)
        #expect(result.detail.contains("into its 5 s hold"), "\(result.detail)")
        #expect(result.detail.contains("answered 500"))
        #expect(clock.now >= .seconds(3) && clock.now < .seconds(4), "it stopped at the first failure, not at the window's end")
    }

    @Test("hold is not bounded by timeout: a steady service passes a window longer than the timeout")
    func holdOutlastsTimeout() async {
        let measure = CheckMeasure(interval: .milliseconds(500), hold: .seconds(5))
        let (result, clock) = await Self.run(Self.check(timeout: .seconds(1), measure)) { _ in .init(latency: .milliseconds(10)) }
        #expect(result.passed, "\(result.detail)")
        #expect(clock.now >= .seconds(5))
        #expect(result.attempts == 11, "the first pass and ten more, one every 500 ms")
        #expect(result.figures?["hold_s"] != nil)
    }

    @Test("a latency bound is held for the whole window too")
    func holdLatency() async {
        let measure = CheckMeasure(samples: 3, interval: .milliseconds(100), bounds: [.max: .milliseconds(100)], hold: .seconds(3))
        let (result, _) = await Self.run(Self.check(measure)) { now in .init(latency: now < .seconds(2) ? .milliseconds(20) : .milliseconds(300)) }
        #expect(!result.passed)
        #expect(result.detail.contains("max_latency 300 ms > 100 ms"), "\(result.detail)")
        #expect(result.figures?["max_ms"] == 300)
    }

    @Test("sampling stops once the attempt can no longer pass")
    func stopsEarly() async {
        let measure = CheckMeasure(samples: 20, interval: .milliseconds(100), errorRate: 0.1)
        let (result, clock) = await Self.run(Self.check(timeout: .milliseconds(100), measure)) { _ in .init(passed: false, latency: .milliseconds(10))
        }
        #expect(!result.passed)
        #expect(result.figures?["samples"] == 3, "two failures are allowed of 20; the third ends the attempt")
        #expect(clock.sleepsTaken.count == 2)
    }
}
