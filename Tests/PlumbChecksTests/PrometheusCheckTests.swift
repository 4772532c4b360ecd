import Foundation
import PlumbCore
import PlumbHTTP
import PlumbTestSupport
import Testing

@testable import PlumbChecks

/// `prometheus:` checks against a real Prometheus scraping a small exporter whose gauge the
/// test sets, and against scripted answers for what a real server rarely says.
@Suite("Prometheus checks", .serialized, .timeLimit(.minutes(2)))
struct PrometheusCheckTests {
    static var executor: CheckExecutor {
        CheckExecutor(probe: SystemProbe(http: HTTPClient(maxConcurrent: 2)), workingDirectory: "/", retryDelay: .milliseconds(200))
    }

    static func check(
        _ url: String, _ query: String = "plumb_test_value", expect: String, empty: Bool = false, timeout: Duration, hold: Duration? = nil
    ) -> Check {
        // The parser is tested on its own; here a bad literal is a bug in the test.
        let comparison = Comparison(parsing: expect) ?? Comparison(.equal, .nan)
        return Check(
            name: "budget", probe: .prometheus(PrometheusQuery(url: url, query: query, expect: comparison, emptyPasses: empty)),
            timeout: timeout, measure: CheckMeasure(interval: .milliseconds(250), hold: hold))
    }

    @Test("a query check passes, then fails once the exporter's value crosses the bound")
    func crossesBound() async throws {
        let exporter = try ControlledHTTPServer(value: 0.004)
        let prometheus = try PrometheusServer(targets: [exporter.target])
        // The first scrape comes a few seconds after Prometheus is ready: the check retries.
        let passing = await Self.executor.run(Self.check(prometheus.url, expect: "< 0.01", timeout: .seconds(30)))
        #expect(passing.passed, "\(passing.detail)")
        #expect(passing.figures?["value"] == 0.004)
        #expect(passing.figures?["series"] == 1)

        try exporter.set(value: 0.5)
        let seen = await Self.executor.run(Self.check(prometheus.url, expect: "> 0.1", timeout: .seconds(15)))
        #expect(seen.passed, "Prometheus scraped the new value: \(seen.detail)")
        let failing = await Self.executor.run(Self.check(prometheus.url, expect: "< 0.01", timeout: .milliseconds(500)))
        #expect(!failing.passed)
        #expect(failing.figures?["value"] == 0.5)
        #expect(failing.detail.contains("= 0.5, expected < 0.01"), "\(failing.detail)")

        let missing = await Self.executor.run(Self.check(prometheus.url, "no_such_metric", expect: "< 1", timeout: .milliseconds(300)))
        #expect(!missing.passed)
        #expect(missing.detail.contains("no series"), "\(missing.detail)")
        #expect(await Self.executor.run(Self.check(prometheus.url, "no_such_metric", expect: "< 1", empty: true, timeout: .milliseconds(300))).passed)

        let badQuery = await Self.executor.run(Self.check(prometheus.url, "sum(", expect: "< 1", timeout: .milliseconds(300)))
        #expect(!badQuery.passed)
        #expect(badQuery.detail.contains("bad_data"), "\(badQuery.detail)")
    }

    @Test("an unreachable Prometheus is a clear check failure")
    func unreachable() async throws {
        let closed = try LoopbackListener(backlog: nil)
        let url = "http://127.0.0.1:\(closed.port)"
        // An executor of its own: the shared one's connections may be busy with another test.
        let executor = CheckExecutor(probe: SystemProbe(http: HTTPClient(maxConcurrent: 1)), workingDirectory: "/", retryDelay: .milliseconds(100))
        let result = await executor.run(Self.check(url, expect: "< 1", timeout: .seconds(1)))
        #expect(!result.passed)
        #expect(result.detail.contains("prometheus at \(url) did not answer"), "\(result.detail)")
        #expect(result.detail.contains("attempt"), "it says how often it tried: \(result.detail)")
    }

    static let vector =
        #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"api"},"value":[1700000000.1,"0.002"]},{"metric":{"job":"db"},"value":[1700000000.1,"0.3"]}]}}"#

    @Test("the bearer token comes from the variable token_env names, and every series must hold")
    func bearerToken() async throws {
        let server = try ScriptedHTTPServer([], default: .init(status: 200, headers: ["Content-Type": "application/json"], body: Self.vector))
        let probe = SystemProbe(http: HTTPClient(maxConcurrent: 1), variable: { $0 == "PROM_TOKEN" ? "s3cret" : nil })
        let query = PrometheusQuery(
            url: server.url, query: #"rate(errors{code=~"5.."}[1m])"#, expect: Comparison(.less, 0.01), tokenEnv: "PROM_TOKEN")
        let outcome = await probe.attempt(.prometheus(query), workingDirectory: "/", remaining: .seconds(2))
        #expect(!outcome.passed)
        #expect(outcome.detail == #"1 of 2 series fail < 0.01: {job="db"} = 0.3"#)
        #expect(!outcome.detail.contains("s3cret"))
        let request = try #require(try server.requests().first)
        #expect(request.header("Authorization") == "Bearer s3cret")
        #expect(request.path == "/api/v1/query")
        #expect(request.queryValue("query") == #"rate(errors{code=~"5.."}[1m])"#)

        var unset = query
        unset.tokenEnv = "NOT_SET_ANYWHERE"
        let missing = await probe.attempt(.prometheus(unset), workingDirectory: "/", remaining: .seconds(2))
        #expect(!missing.passed)
        #expect(missing.detail.contains("token_env NOT_SET_ANYWHERE is not set"))
        #expect(try server.requests().count == 1, "nothing is sent without the token")
    }

    @Test(
        "answers Prometheus rarely gives are failures that say what came back",
        arguments: [
            ResponseCase(
                id: "matrix", status: 200, body: #"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
                message: "not a number or an instant vector"),
            ResponseCase(
                id: "string", status: 200, body: #"{"status":"success","data":{"resultType":"string","result":[1,"x"]}}"#, message: "gives a string"),
            ResponseCase(
                id: "error", status: 422, body: #"{"status":"error","errorType":"execution","error":"many-to-many matching"}"#,
                message: "422: execution: many-to-many"),
            ResponseCase(id: "html", status: 502, body: "<html>bad gateway</html>", message: "502 with something other than Prometheus JSON"),
            ResponseCase(
                id: "value-not-a-number", status: 200, body: #"{"status":"success","data":{"resultType":"scalar","result":[1,"many"]}}"#,
                message: "'many' that is not a number"),
        ])
    func oddAnswers(_ value: ResponseCase) {
        #expect(throws: PrometheusResponse.Failure.self) { try PrometheusResponse.series(status: value.status, body: Data(value.body.utf8)) }
        do {
            _ = try PrometheusResponse.series(status: value.status, body: Data(value.body.utf8))
        } catch {
            #expect(error.message.contains(value.message), "\(error.message)")
        }
    }

    @Test("scalars and special values read as numbers")
    func values() throws {
        let scalar = #"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"+Inf"]}}"#
        #expect(try PrometheusResponse.series(status: 200, body: Data(scalar.utf8)) == [QuerySeries(value: .infinity)])
        #expect(try PrometheusResponse.series(status: 200, body: Data(Self.vector.utf8)).map(\.value) == [0.002, 0.3])
        #expect(PrometheusProbe.encode("a{b=\"c\"} + 1") == "a%7Bb%3D%22c%22%7D%20%2B%201")
    }
}

struct ResponseCase: CustomTestStringConvertible, Sendable {
    var id: String
    var status: Int
    var body: String
    var message: String
    var testDescription: String { id }
}
