import PlumbTestSupport
import Testing

@testable import PlumbCore

/// The decisions of measuring checks as values: percentiles, bounds, error rates, comparisons.
@Suite("Measured check verdicts")
struct MeasuredCheckTests {
    @Test(
        "nearest-rank percentiles pick a sample, never an interpolation",
        arguments: [
            PercentileCase(id: "wikipedia-p30", samples: [15, 20, 35, 40, 50], percentile: 30, expected: 20),
            PercentileCase(id: "wikipedia-p40", samples: [15, 20, 35, 40, 50], percentile: 40, expected: 20),
            PercentileCase(id: "wikipedia-p50", samples: [15, 20, 35, 40, 50], percentile: 50, expected: 35),
            PercentileCase(id: "wikipedia-p100", samples: [15, 20, 35, 40, 50], percentile: 100, expected: 50),
            PercentileCase(id: "p95-of-20-is-the-19th", samples: (1...20).map(Double.init), percentile: 95, expected: 19),
            PercentileCase(id: "p99-of-20-is-the-max", samples: (1...20).map(Double.init), percentile: 99, expected: 20),
            PercentileCase(id: "p50-of-20-is-the-10th", samples: (1...20).map(Double.init), percentile: 50, expected: 10),
            PercentileCase(id: "p95-of-100", samples: (1...100).map(Double.init), percentile: 95, expected: 95),
            PercentileCase(id: "one-sample", samples: [7], percentile: 95, expected: 7),
        ])
    func percentiles(_ value: PercentileCase) {
        #expect(Percentile.nearestRank(value.percentile, of: value.samples) == value.expected)
    }

    @Test("no samples, no percentile")
    func emptyPercentile() {
        #expect(Percentile.nearestRank(95, of: [Double]()) == nil)
    }

    static func samples(_ milliseconds: [Int], failing: Set<Int> = []) -> [ProbeSample] {
        milliseconds.enumerated().map { index, ms in
            ProbeSample(
                passed: !failing.contains(index), latency: .milliseconds(ms), detail: failing.contains(index) ? "answered 500" : "answered 200")
        }
    }

    @Test("p95: 200ms passes at 50 ms and reports the figures")
    func boundHolds() {
        let verdict = AttemptVerdict.judge(
            Self.samples(Array(repeating: 50, count: 10)), measure: CheckMeasure(samples: 10, bounds: [.p95: .milliseconds(200)]))
        #expect(verdict.passed)
        #expect(verdict.figures?["p95_ms"] == 50)
        #expect(verdict.figures?["error_rate"] == 0)
        #expect(verdict.figures?["samples"] == 10)
    }

    @Test("p95: 200ms fails at 400 ms, and the message holds the measured percentile")
    func boundBroken() {
        let verdict = AttemptVerdict.judge(
            Self.samples([400, 410, 395, 402, 420, 399, 401, 405, 398, 430]), measure: CheckMeasure(samples: 10, bounds: [.p95: .milliseconds(200)]))
        #expect(!verdict.passed)
        #expect(verdict.figures?["p95_ms"] == 430)
        #expect(verdict.detail.contains("p95 430 ms > 200 ms"), "\(verdict.detail)")
    }

    @Test("one slow sample of 20 breaks max_latency and p99 but not p95")
    func tail() {
        let measure = CheckMeasure(samples: 20, bounds: [.p95: .milliseconds(100), .p99: .milliseconds(100), .max: .milliseconds(100)])
        let verdict = AttemptVerdict.judge(Self.samples(Array(repeating: 10, count: 19) + [900]), measure: measure)
        #expect(!verdict.passed)
        #expect(verdict.figures?["p95_ms"] == 10)
        #expect(verdict.figures?["p99_ms"] == 900)
        #expect(verdict.detail.contains("p99 900 ms") && verdict.detail.contains("max_latency 900 ms > 100 ms"))
        #expect(!verdict.detail.contains("p95 10 ms >"))
    }

    @Test(
        "error_rate allows its share of failed samples and no more",
        arguments: [
            ErrorRateCase(id: "none-allowed-one-failed", failed: 1, allowed: 0, passes: false),
            ErrorRateCase(id: "five-percent-one-of-twenty", failed: 1, allowed: 0.05, passes: true),
            ErrorRateCase(id: "five-percent-two-of-twenty", failed: 2, allowed: 0.05, passes: false),
            ErrorRateCase(id: "all-allowed", failed: 20, allowed: 1, passes: true),
        ])
    func errorRate(_ value: ErrorRateCase) {
        let verdict = AttemptVerdict.judge(
            Self.samples(Array(repeating: 5, count: 20), failing: Set(0..<value.failed)), measure: CheckMeasure(samples: 20, errorRate: value.allowed)
        )
        #expect(verdict.passed == value.passes, "\(verdict.detail)")
        #expect(verdict.figures?["error_rate"] == Double(value.failed) / 20)
    }

    @Test("a plain check keeps its probe's message and reports no figures")
    func plain() {
        let verdict = AttemptVerdict.judge(Self.samples([5], failing: [0]), measure: CheckMeasure())
        #expect(!verdict.passed)
        #expect(verdict.detail == "answered 500")
        #expect(verdict.figures == nil)
    }

    @Test(
        "comparisons parse an operator and a finite number",
        arguments: [
            ComparisonCase(id: "less", text: "< 0.01", expected: Comparison(.less, 0.01)),
            ComparisonCase(id: "less-or-equal-no-space", text: "<=1", expected: Comparison(.lessOrEqual, 1)),
            ComparisonCase(id: "greater-or-equal", text: ">= 2.5", expected: Comparison(.greaterOrEqual, 2.5)),
            ComparisonCase(id: "greater-negative", text: "> -1", expected: Comparison(.greater, -1)),
            ComparisonCase(id: "equal", text: " == 0 ", expected: Comparison(.equal, 0)),
            ComparisonCase(id: "exponent", text: "< 1e-3", expected: Comparison(.less, 0.001)),
            ComparisonCase(id: "no-operator", text: "0.01", expected: nil),
            ComparisonCase(id: "no-number", text: "<", expected: nil),
            ComparisonCase(id: "word", text: "< low", expected: nil),
            ComparisonCase(id: "reversed-operator", text: "=< 1", expected: nil),
            ComparisonCase(id: "not-equal-unsupported", text: "!= 1", expected: nil),
            ComparisonCase(id: "nan", text: "< nan", expected: nil),
            ComparisonCase(id: "infinity", text: "< inf", expected: nil),
        ])
    func comparisons(_ value: ComparisonCase) {
        #expect(Comparison(parsing: value.text) == value.expected)
    }

    @Test("comparisons hold as written; NaN holds none")
    func holds() {
        #expect(Comparison(.less, 1).holds(0.5) && !Comparison(.less, 1).holds(1))
        #expect(Comparison(.lessOrEqual, 1).holds(1) && !Comparison(.lessOrEqual, 1).holds(1.01))
        #expect(Comparison(.greater, 1).holds(2) && !Comparison(.greater, 1).holds(1))
        #expect(Comparison(.greaterOrEqual, 1).holds(1) && !Comparison(.greaterOrEqual, 1).holds(0))
        #expect(Comparison(.equal, 1).holds(1) && !Comparison(.equal, 1).holds(0))
        #expect(Comparison.Operator.allCases.allSatisfy { !Comparison($0, 1).holds(.nan) })
    }

    static let query = PrometheusQuery(url: "http://127.0.0.1:9090/", query: "up", expect: Comparison(.less, 0.01))

    @Test("a query's every series must hold; the failing ones are named with their labels")
    func vector() {
        let passing = PrometheusVerdict.judge(
            [QuerySeries(labels: ["job": "a"], value: 0.001), QuerySeries(labels: ["job": "b"], value: 0.002)], query: Self.query)
        #expect(passing.passed)
        #expect(passing.figures == ["series": 2, "min": 0.001, "max": 0.002])
        let failing = PrometheusVerdict.judge(
            [QuerySeries(labels: ["job": "a"], value: 0.001), QuerySeries(labels: ["job": "b", "code": "500"], value: 0.5)], query: Self.query)
        #expect(!failing.passed)
        #expect(failing.detail.contains("{code=\"500\",job=\"b\"} = 0.5"), "\(failing.detail)")
        #expect(!failing.detail.contains("job=\"a\""))
    }

    @Test("a scalar result is one value")
    func scalar() {
        let verdict = PrometheusVerdict.judge([QuerySeries(value: 0.2)], query: Self.query)
        #expect(!verdict.passed)
        #expect(verdict.figures["value"] == 0.2)
        #expect(verdict.detail == "value = 0.2, expected < 0.01")
        #expect(Self.query.url == "http://127.0.0.1:9090", "the trailing slash is dropped")
    }

    @Test("an empty result fails unless empty: pass")
    func empty() {
        #expect(!PrometheusVerdict.judge([], query: Self.query).passed)
        var lenient = Self.query
        lenient.emptyPasses = true
        #expect(PrometheusVerdict.judge([], query: lenient).passed)
    }

    @Test("a NaN series fails and stays out of the figures")
    func notANumber() {
        let verdict = PrometheusVerdict.judge([QuerySeries(value: .nan)], query: Self.query)
        #expect(!verdict.passed)
        #expect(verdict.figures == ["series": 1])
    }
}

struct PercentileCase: CustomTestStringConvertible, Sendable {
    var id: String
    var samples: [Double]
    var percentile: Int
    var expected: Double
    var testDescription: String { id }
}

struct ErrorRateCase: CustomTestStringConvertible, Sendable {
    var id: String
    var failed: Int
    var allowed: Double
    var passes: Bool
    var testDescription: String { id }
}

struct ComparisonCase: CustomTestStringConvertible, Sendable {
    var id: String
    var text: String
    var expected: Comparison?
    var testDescription: String { id }
}
