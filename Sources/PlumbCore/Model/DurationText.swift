/// Durations as people write them in documents and flags: `500ms`, `5s`, `2m`, `1h`.
public enum DurationText {
    /// Nil for anything else (and for zero or negative values). Bare numbers are seconds
    /// when `bareSeconds` allows them.
    public static func parse(_ text: String, bareSeconds: Bool = false) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value > 0 else { return nil }
            return .milliseconds(Int64(value * scale * 1000))
        }
        guard bareSeconds, let value = Double(text), value > 0 else { return nil }
        return .milliseconds(Int64(value * 1000))
    }
}
