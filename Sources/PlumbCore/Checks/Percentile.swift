/// Nearest-rank percentiles (SPEC §8.7): the smallest sample such that at least p% of the
/// samples are at or below it. Always one of the samples, never an interpolation.
public enum Percentile {
    /// `sorted` ascending and non-empty; `percentile` in 1...100. Nil for no samples.
    public static func nearestRank<T: Comparable>(_ percentile: Int, of sorted: [T]) -> T? {
        guard !sorted.isEmpty else { return nil }
        // ceil(p/100 × N) in integers: no floating-point rounding at exact ranks (95% of 20 = 19).
        let rank = (percentile * sorted.count + 99) / 100
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

/// Numbers as outcomes show them: milliseconds to a tenth, other figures as short as exact.
public enum FigureText {
    public static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return (value * 10).rounded() / 10
    }

    /// `41.2`, `3`, `0.004`: integral values without a trailing `.0`.
    public static func number(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// `200 ms`, `1.5 s` for bounds as people wrote them.
    public static func duration(_ duration: Duration) -> String {
        let ms = milliseconds(duration)
        return ms >= 1000 ? "\(number(ms / 1000)) s" : "\(number(ms)) ms"
    }
}
