/// One sample of a probe: whether it passed, how long it took, what it said.
public struct ProbeSample: Sendable, Hashable {
    public var passed: Bool
    public var latency: Duration
    public var detail: String
    /// Figures the probe itself measured (a Prometheus query's values).
    public var figures: [String: Double]

    public init(passed: Bool, latency: Duration, detail: String, figures: [String: Double] = [:]) {
        self.passed = passed
        self.latency = latency
        self.detail = detail
        self.figures = figures
    }
}

/// The verdict on one attempt: its samples held against the check's bounds.
public struct AttemptVerdict: Sendable, Hashable {
    public var passed: Bool
    public var detail: String
    /// Nil for plain checks, whose outcomes stay as they were.
    public var figures: [String: Double]?

    public init(passed: Bool, detail: String, figures: [String: Double]?) {
        self.passed = passed
        self.detail = detail
        self.figures = figures
    }

    /// Judges an attempt's samples (SPEC §8.7): it passes when the share of failed samples is
    /// within `errorRate` and every latency bound holds at its nearest-rank percentile over all
    /// the samples (failed ones too: a slow error is still slow).
    public static func judge(_ samples: [ProbeSample], measure: CheckMeasure) -> AttemptVerdict {
        guard let last = samples.last else { return AttemptVerdict(passed: false, detail: "no samples taken", figures: nil) }
        let probeFigures = samples.last { !$0.figures.isEmpty }?.figures
        if measure.isPlain {
            return AttemptVerdict(passed: last.passed, detail: last.detail, figures: probeFigures)
        }
        let latencies = samples.map { FigureText.milliseconds($0.latency) }.sorted()
        let failures = samples.filter { !$0.passed }
        let errorRate = Double(failures.count) / Double(samples.count)
        var figures = probeFigures ?? [:]
        figures["samples"] = Double(samples.count)
        figures["error_rate"] = (errorRate * 10_000).rounded() / 10_000
        for bound in CheckMeasure.Bound.allCases {
            figures[bound.figure] = Percentile.nearestRank(bound.percentile, of: latencies)
        }
        var problems: [String] = []
        if errorRate > measure.errorRate, let first = failures.first {
            problems.append(
                samples.count == 1
                    ? first.detail
                    : "\(failures.count) of \(samples.count) samples failed (error rate \(FigureText.number(figures["error_rate"] ?? 0)) > \(FigureText.number(measure.errorRate))): \(first.detail)"
            )
        }
        for bound in CheckMeasure.Bound.allCases {
            guard let limit = measure.bounds[bound], let measured = figures[bound.figure] else { continue }
            if measured > FigureText.milliseconds(limit) {
                problems.append("\(bound.rawValue) \(FigureText.number(measured)) ms > \(FigureText.duration(limit))")
            }
        }
        let summary = Self.summary(figures, measure: measure, failures: failures.count)
        if problems.isEmpty {
            let shown = samples.last { $0.passed }?.detail ?? last.detail
            return AttemptVerdict(passed: true, detail: "\(shown); \(summary)", figures: figures)
        }
        return AttemptVerdict(passed: false, detail: "\(problems.joined(separator: "; ")) (\(summary))", figures: figures)
    }

    /// `20 samples: p50 41.2 ms, p95 48 ms, p99 50.1 ms, max 50.1 ms, 0 failed`.
    static func summary(_ figures: [String: Double], measure: CheckMeasure, failures: Int) -> String {
        let count = Int(figures["samples"] ?? 0)
        let latencies = CheckMeasure.Bound.allCases.compactMap { bound -> String? in
            guard let value = figures[bound.figure] else { return nil }
            return "\(bound == .max ? "max" : bound.rawValue) \(FigureText.number(value)) ms"
        }
        return "\(count) sample\(count == 1 ? "" : "s"): \(latencies.joined(separator: ", ")), \(failures) failed"
    }
}
