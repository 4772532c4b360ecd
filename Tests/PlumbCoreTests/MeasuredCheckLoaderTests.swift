import Foundation
import PlumbTestSupport
import Testing

@testable import PlumbCore

/// Loading the measuring keys of checks (SPEC §8.7) and refusing bad ones at their position.
@Suite("Measured check documents")
struct MeasuredCheckLoaderTests {
    static let checks = """
        checks:
          api-latency:
            after: dns.record/example.com./api/*
            http: {url: "http://127.0.0.1:8080/healthz", status: 200}
            samples: 20
            interval: 100ms
            p95: 300ms
            p99: 1s
            max_latency: 2s
            error_rate: 0.05
            hold: 60s
          error-budget:
            prometheus:
              url: "http://127.0.0.1:9090/"
              query: sum(rate(http_requests_total{code=~"5.."}[1m]))
              expect: "< 0.01"
              empty: pass
              token_env: PROM_TOKEN
            hold: 30s
          plain:
            tcp: {host: 127.0.0.1, port: 5432}
        """

    @Test("every measuring key loads into the check")
    func loads() throws {
        let state = try DesiredStateLoader().load(MemoryTree(["Providers/main.yaml": "kind: embedded\n", "Desired/checks.yaml": Self.checks]))
        let byName = Dictionary(uniqueKeysWithValues: state.checks.map { ($0.name, $0) })
        #expect(
            byName["api-latency"]?.measure
                == CheckMeasure(
                    samples: 20, interval: .milliseconds(100), bounds: [.p95: .milliseconds(300), .p99: .seconds(1), .max: .seconds(2)],
                    errorRate: 0.05, hold: .seconds(60)))
        #expect(
            byName["error-budget"]?.probe
                == .prometheus(
                    PrometheusQuery(
                        url: "http://127.0.0.1:9090", query: #"sum(rate(http_requests_total{code=~"5.."}[1m]))"#, expect: Comparison(.less, 0.01),
                        emptyPasses: true, tokenEnv: "PROM_TOKEN")))
        #expect(byName["error-budget"]?.measure == CheckMeasure(hold: .seconds(30)))
        #expect(byName["plain"]?.measure.isPlain == true)
    }

    @Test("every example in Docs/service-levels.md and the formats page loads", arguments: ["Docs/service-levels.md", "Docs/formats.md"])
    func documentedExamplesLoad(_ page: String) throws {
        let text = try String(contentsOf: PowerDNSServer.projectRoot.appendingPathComponent(page), encoding: .utf8)
        let blocks = text.components(separatedBy: "```yaml\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
            .filter { $0.hasPrefix("checks:") }
        #expect(!blocks.isEmpty)
        for block in blocks {
            let diagnostics = try CoreFixtures.diagnostics(MemoryTree(["Providers/main.yaml": "kind: embedded\n", "Desired/checks.yaml": block]))
            #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description)) in \(block)")
        }
    }

    static func broken(_ id: String, _ text: String, _ expected: [Pinned]) -> BrokenInput {
        BrokenInput(id: id, files: ["Desired/checks.yaml": text], expected: expected)
    }

    static let cases: [BrokenInput] = [
        broken(
            "hold-not-a-duration",
            """
            checks:
              api:
                http: {url: "http://h/"}
                hold: a-while
            """, [Pinned(.invalidValue, "Desired/checks.yaml", 4, 11)]),
        broken(
            "percentile-not-a-duration",
            """
            checks:
              api:
                http: {url: "http://h/"}
                p95: fast
            """, [Pinned(.invalidValue, "Desired/checks.yaml", 4, 10)]),
        broken(
            "interval-zero",
            """
            checks:
              api:
                tcp: {host: h, port: 1}
                interval: 0s
            """, [Pinned(.invalidValue, "Desired/checks.yaml", 4, 15)]),
        broken(
            "error-rate-above-one",
            """
            checks:
              api:
                http: {url: "http://h/"}
                error_rate: 5
            """, [Pinned(.invalidValue, "Desired/checks.yaml", 4, 17)]),
        broken(
            "error-rate-negative",
            """
            checks:
              api:
                http: {url: "http://h/"}
                error_rate: -0.1
            """, [Pinned(.invalidValue, "Desired/checks.yaml", 4, 17)]),
        broken(
            "samples-zero",
            """
            checks:
              api:
                dns: {name: a.example., server: 127.0.0.1, expect: [192.0.2.1]}
                samples: 0
            """, [Pinned(.invalidValue, "Desired/checks.yaml", 4, 14)]),
        broken(
            "percentile-on-command-check",
            """
            checks:
              smoke:
                command: [true]
                p95: 200ms
                hold: 5s
            """, [Pinned(.invalidValue, "Desired/checks.yaml", 4, 5), Pinned(.invalidValue, "Desired/checks.yaml", 5, 5)]),
        broken(
            "expect-not-a-comparison",
            """
            checks:
              budget:
                prometheus: {url: "http://h:9090", query: up, expect: "about 1"}
            """, [Pinned(.invalidValue, "Desired/checks.yaml", 3, 59)]),
        broken(
            "prometheus-without-query",
            """
            checks:
              budget:
                prometheus: {url: "http://h:9090", expect: "< 1"}
            """, [Pinned(.missingKey, "Desired/checks.yaml", 3, 17)]),
        broken(
            "prometheus-empty-neither-pass-nor-fail",
            """
            checks:
              budget:
                prometheus: {url: "http://h:9090", query: up, expect: "== 1", empty: ok}
            """, [Pinned(.invalidValue, "Desired/checks.yaml", 3, 74)]),
        broken(
            "prometheus-url-not-http",
            """
            checks:
              budget:
                prometheus: {url: "ftp://h", query: up, expect: "== 1"}
            """, [Pinned(.invalidValue, "Desired/checks.yaml", 3, 23)]),
        broken(
            "token-env-reads-plumb-secret",
            """
            checks:
              budget:
                prometheus:
                  url: "http://h:9090"
                  query: up
                  expect: "== 1"
                  token_env: PLUMB_API_TOKEN
            """, [Pinned(.environment, "Desired/checks.yaml", 7, 18)]),
        broken(
            "token-env-not-a-name",
            """
            checks:
              budget:
                prometheus:
                  url: "http://h:9090"
                  query: up
                  expect: "== 1"
                  token_env: "$TOKEN"
            """, [Pinned(.invalidValue, "Desired/checks.yaml", 7, 18)]),
        broken(
            "misspelt-measuring-key",
            """
            checks:
              api:
                http: {url: "http://h/"}
                p59: 200ms
            """, [Pinned(.unknownKey, "Desired/checks.yaml", 4, 5)]),
    ]

    @Test("a bad measuring key is refused at its position", arguments: cases)
    func refused(_ input: BrokenInput) throws {
        let diagnostics = try CoreFixtures.diagnostics(input.tree, environment: input.environment)
        #expect(diagnostics.map(Pinned.init) == input.expected, "\(diagnostics.map(\.description))")
    }
}
