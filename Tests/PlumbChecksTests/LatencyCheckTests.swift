import Foundation
import PlumbCore
import PlumbHTTP
import PlumbTestSupport
import Testing

@testable import PlumbChecks

/// Measuring checks against a real loopback service whose latency and status the test sets.
/// Serialized, each test with a client of its own: latency is measured from the request's
/// start, so a test's requests must not queue behind another test's connections.
@Suite("Latency and hold checks on loopback", .serialized, .timeLimit(.minutes(1)))
struct LatencyCheckTests {
    static func check(_ server: ControlledHTTPServer, timeout: Duration = .seconds(1), _ measure: CheckMeasure) -> Check {
        Check(name: "api", probe: .http(url: "\(server.url)/healthz", status: 200, contains: nil), timeout: timeout, measure: measure)
    }

    static var executor: CheckExecutor {
        CheckExecutor(probe: SystemProbe(http: HTTPClient(maxConcurrent: 2)), workingDirectory: "/", retryDelay: .milliseconds(100))
    }
    static let p95 = CheckMeasure(samples: 5, interval: .milliseconds(20), bounds: [.p95: .milliseconds(200)])

    @Test("p95: 200ms passes at 50 ms, and the outcome reports the measured figures")
    func fastPasses() async throws {
        let server = try ControlledHTTPServer(delayMilliseconds: 50)
        // 20 samples: p95 is the 19th, so one cold start (a new connection on a loaded
        // machine) does not decide it.
        var measure = Self.p95
        measure.samples = 20
        // A check retries until its timeout: on a loaded machine an attempt with a stalled
        // sample is followed by a clean one, as it would be in production.
        let result = await Self.executor.run(Self.check(server, timeout: .seconds(20), measure))
        #expect(result.passed, "\(result.detail)")
        let p95 = try #require(result.figures?["p95_ms"])
        #expect(p95 >= 50 && p95 < 200)
        #expect(result.figures?["error_rate"] == 0)
        #expect(result.figures?["samples"] == 20)
        #expect(result.detail.contains("p95 "))
    }

    @Test("p95: 200ms fails at 400 ms, with the measured percentile in the message")
    func slowFails() async throws {
        let server = try ControlledHTTPServer(delayMilliseconds: 400)
        let result = await Self.executor.run(Self.check(server, Self.p95))
        #expect(!result.passed)
        let p95 = try #require(result.figures?["p95_ms"])
        #expect(p95 >= 400)
        #expect(result.detail.contains("p95 \(FigureText.number(p95)) ms > 200 ms"), "\(result.detail)")
    }

    @Test("hold: 5s fails when the service starts answering 500 three seconds after the check starts")
    func holdBroken() async throws {
        let server = try ControlledHTTPServer(delayMilliseconds: 5)
        try server.set(status: 500, after: .seconds(3))
        let start = ContinuousClock.now
        let result = await Self.executor.run(Self.check(server, CheckMeasure(interval: .milliseconds(200), hold: .seconds(5))))
        let elapsed = ContinuousClock.now - start
        #expect(!result.passed)
        #expect(result.detail.contains("into its 5 s hold"), "\(result.detail)")
        #expect(result.detail.contains("answered 500"), "\(result.detail)")
        #expect(elapsed >= .seconds(3) && elapsed < .seconds(5), "it failed when the service did, not at the window's end")
    }

    @Test("hold: 2s passes on a steady service and lasts the whole window")
    func holdSteady() async throws {
        let server = try ControlledHTTPServer(delayMilliseconds: 5)
        let start = ContinuousClock.now
        let result = await Self.executor.run(Self.check(server, CheckMeasure(interval: .milliseconds(200), hold: .seconds(2))))
        #expect(result.passed, "\(result.detail)")
        #expect(ContinuousClock.now - start >= .seconds(2))
        #expect(result.attempts >= 3, "attempts all through the window")
        #expect((result.figures?["hold_s"] ?? 0) >= 2)
    }

    @Test("an error_rate bound counts failed samples of a tcp check on a closed port")
    func tcpErrorRate() async throws {
        let closed = try LoopbackListener(backlog: nil)
        let check = Check(
            name: "db", probe: .tcp(host: "127.0.0.1", port: closed.port), timeout: .milliseconds(200),
            measure: CheckMeasure(samples: 4, interval: .milliseconds(10), errorRate: 0.5))
        let result = await Self.executor.run(check)
        #expect(!result.passed)
        #expect(result.figures?["error_rate"] == 1)
        #expect(result.figures?["samples"] == 3, "the third failure of four exceeds the half allowed")
        #expect(result.detail.contains("3 of 3 samples failed"), "\(result.detail)")
    }
}
