/// Durations as people write them in documents and flags: `500ms`, `5s`, `2m`, `1h`.
public enum DurationText {
    /// Nil for anything else (and for zero or negative values). Bare numbers are seconds
    /// when `bareSeconds` allows them.
    public static func parse(_ text: String, bareSeconds: Bool = false) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)) else { return nil }
            return milliseconds(value * scale * 1000)
        }
        guard bareSeconds, let value = Double(text) else { return nil }
        return milliseconds(value * 1000)
    }

    /// Up to a year: beyond that a duration is a typo, and the conversion to an integer
    /// would trap on huge or infinite values.
    private static func milliseconds(_ value: Double) -> Duration? {
        guard value.isFinite, value > 0, value <= 365 * 86_400_000 else { return nil }
        return .milliseconds(Int64(value))
    }
}
