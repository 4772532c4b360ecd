import PlumbTestSupport
import Testing

@testable import PlumbCore

@Suite("Check executor")
struct CheckExecutorTests {
    static func check(timeout: Duration) -> Check {
        Check(name: "probe", probe: .tcp(host: "127.0.0.1", port: 1), timeout: timeout)
    }

    @Test("a check that passes at once is tried once")
    func passesAtOnce() async {
        let probe = CountingProbe(passOn: 1)
        let result = await CheckExecutor(probe: probe, workingDirectory: "/", retryDelay: .milliseconds(10)).run(Self.check(timeout: .seconds(5)))
        #expect(result.passed)
        #expect(result.attempts == 1)
        #expect(await probe.counter.count == 1)
        #expect(result.name == "probe")
    }

    @Test("a check is retried until it passes (third attempt)")
    func retriesUntilPass() async {
        let probe = CountingProbe(passOn: 3)
        let result = await CheckExecutor(probe: probe, workingDirectory: "/", retryDelay: .milliseconds(10)).run(Self.check(timeout: .seconds(60)))
        #expect(result.passed)
        #expect(result.attempts == 3)
        #expect(await probe.counter.count == 3)
    }

    @Test("a check that never passes is retried until its timeout, then fails")
    func timesOut() async {
        let probe = CountingProbe(passOn: nil)
        let result = await CheckExecutor(probe: probe, workingDirectory: "/", retryDelay: .milliseconds(20)).run(
            Self.check(timeout: .milliseconds(200)))
        #expect(!result.passed)
        #expect(result.attempts > 1)
        #expect(await probe.counter.count == result.attempts)
        #expect(result.durationMs >= 150, "it kept trying for about the timeout")
    }

    @Test("each attempt is bounded by the time left")
    func remainingShrinks() async {
        let probe = CountingProbe(passOn: 4)
        _ = await CheckExecutor(probe: probe, workingDirectory: "/", retryDelay: .milliseconds(20)).run(Self.check(timeout: .seconds(60)))
        let remainings = await probe.counter.remainings
        #expect(remainings.count == 4)
        #expect(remainings.allSatisfy { $0 <= .seconds(60) && $0 > .zero })
        #expect(zip(remainings, remainings.dropFirst()).allSatisfy { $0 > $1 }, "the budget shrinks with every attempt")
    }

    @Test("the scripted probe passes and fails by command")
    func scripted() async {
        let executor = CheckExecutor(probe: ScriptedProbe(), workingDirectory: "/", retryDelay: .milliseconds(5))
        #expect(await executor.run(Check(name: "ok", probe: .command(["pass"]))).passed)
        let failed = await executor.run(Check(name: "no", probe: .command(["fail"]), timeout: .milliseconds(30)))
        #expect(!failed.passed)
        #expect(failed.attempts >= 1)
    }

    @Test(
        "durations in check documents",
        arguments: [
            DurationCase(id: "seconds", text: "5s", duration: .seconds(5)),
            DurationCase(id: "milliseconds", text: "500ms", duration: .milliseconds(500)),
            DurationCase(id: "minutes", text: "2m", duration: .seconds(120)),
            DurationCase(id: "hours", text: "1h", duration: .seconds(3600)),
            DurationCase(id: "bare-seconds", text: "3", duration: .seconds(3)),
            DurationCase(id: "fractional", text: "1.5s", duration: .milliseconds(1500)),
            DurationCase(id: "zero-refused", text: "0s", duration: nil),
            DurationCase(id: "negative-refused", text: "-1s", duration: nil),
            DurationCase(id: "word-refused", text: "soon", duration: nil),
        ])
    func durations(_ value: DurationCase) {
        #expect(DocumentLoader.duration(value.text) == value.duration)
    }
}

struct DurationCase: CustomTestStringConvertible, Sendable {
    var id: String
    var text: String
    var duration: Duration?
    var testDescription: String { id }
}
