import Foundation

/// One series of an instant query's result: its labels and its value (a scalar result is
/// one series without labels).
public struct QuerySeries: Sendable, Hashable {
    public var labels: [String: String]
    public var value: Double

    public init(labels: [String: String] = [:], value: Double) {
        self.labels = labels
        self.value = value
    }

    /// As PromQL writes label values: messages stay on one line whatever a label holds.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// `{code="500",job="api"}`, sorted by label name; empty for a scalar.
    public var labelText: String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" }.joined(separator: ",") + "}"
    }
}

/// Holds a query's result against `expect:` (SPEC §8.7): every series must satisfy it; an
/// empty result fails unless `empty: pass`.
public enum PrometheusVerdict {
    /// Series shown in a message before it says "and N more".
    static let shownSeries = 3

    public static func judge(_ series: [QuerySeries], query: PrometheusQuery) -> ProbeOutcome {
        guard !series.isEmpty else {
            let detail = "query returned no series" + (query.emptyPasses ? " (empty: pass)" : "; an empty result fails unless empty: pass")
            return ProbeOutcome(passed: query.emptyPasses, detail: detail, figures: ["series": 0])
        }
        let values = series.map(\.value)
        var figures: [String: Double] = ["series": Double(series.count)]
        // NaN and ±Inf are not JSON numbers: figures keep the finite values only.
        let finite = values.filter(\.isFinite)
        if let low = finite.min(), let high = finite.max() {
            figures["min"] = low
            figures["max"] = high
        }
        if series.count == 1, let only = finite.first { figures["value"] = only }
        let failing = series.filter { !query.expect.holds($0.value) }
        if failing.isEmpty {
            let detail =
                series.count == 1
                ? "\(Self.show(series[0])), \(query.expect)"
                : "all \(series.count) series \(query.expect) (min \(FigureText.number(figures["min"] ?? .nan)), max \(FigureText.number(figures["max"] ?? .nan)))"
            return ProbeOutcome(passed: true, detail: detail, figures: figures)
        }
        var shown = failing.prefix(shownSeries).map(Self.show).joined(separator: ", ")
        if failing.count > shownSeries { shown += " and \(failing.count - shownSeries) more" }
        let detail =
            series.count == 1
            ? "\(shown), expected \(query.expect)"
            : "\(failing.count) of \(series.count) series fail \(query.expect): \(shown)"
        return ProbeOutcome(passed: false, detail: detail, figures: figures)
    }

    /// `{job="api"} = 0.2`, or `value = 0.2` for a scalar.
    static func show(_ series: QuerySeries) -> String {
        "\(series.labels.isEmpty ? "value" : series.labelText) = \(FigureText.number(series.value))"
    }
}
