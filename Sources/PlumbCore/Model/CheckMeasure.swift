/// What a check measures beyond "did it answer" (SPEC §8.7): several samples per attempt,
/// latency bounds over them, a share of failed samples allowed, and a window it must keep
/// passing for.
public struct CheckMeasure: Hashable, Sendable, Codable {
    /// The latency bounds a check may set, in the order reports show them.
    public enum Bound: String, Hashable, Sendable, Codable, CaseIterable {
        case p50, p95, p99
        case max = "max_latency"

        /// The nearest-rank percentile this bound reads (100 for the maximum).
        public var percentile: Int {
            switch self {
            case .p50: return 50
            case .p95: return 95
            case .p99: return 99
            case .max: return 100
            }
        }

        /// The figure's name in outcomes: `p95_ms`, `max_ms`.
        public var figure: String { self == .max ? "max_ms" : "\(rawValue)_ms" }
    }

    /// Samples per attempt (at least 1).
    public var samples: Int
    /// Between samples, and between attempts within `hold`.
    public var interval: Duration
    public var bounds: [Bound: Duration]
    /// Share of failed samples allowed in an attempt, 0...1.
    public var errorRate: Double
    /// How long the check must keep passing after its first pass.
    public var hold: Duration?

    /// Between samples and hold attempts when `interval:` is not given: often enough to see
    /// a failure inside a window of a few seconds, rarely enough not to load the service.
    public static let defaultInterval: Duration = .milliseconds(250)

    public init(
        samples: Int = 1, interval: Duration = CheckMeasure.defaultInterval, bounds: [Bound: Duration] = [:],
        errorRate: Double = 0, hold: Duration? = nil
    ) {
        self.samples = max(1, samples)
        self.interval = interval
        self.bounds = bounds
        self.errorRate = errorRate
        self.hold = hold
    }

    /// A check without any measuring key behaves (and reports) as a plain check did.
    public var isPlain: Bool { self == CheckMeasure() }
}
