/// The measuring keys of a check (SPEC §8.7) and the `prometheus:` probe.
extension DocumentLoader {
    static let measureKeys = ["samples", "interval", "p50", "p95", "p99", "max_latency", "error_rate", "hold"]

    /// The check's measure; nil after reporting a bad value (or a measuring key on a check that
    /// cannot take it).
    func measure(_ fields: [YAMLEntry], check: String, probe: Check.Probe) -> CheckMeasure? {
        var measure = CheckMeasure()
        var valid = true
        for field in fields where Self.measureKeys.contains(field.key) {
            guard probe.measures else {
                reader.error(
                    .invalidValue, field.keyNode,
                    "check \(check): '\(field.key)' measures answers; a command check only passes or fails by its exit status",
                    hint: "use an http, dns, tcp or prometheus check to measure")
                valid = false
                continue
            }
            switch field.key {
            case "samples":
                guard let samples = reader.int(field.value, "check \(check) samples", range: 1...10_000) else {
                    valid = false
                    continue
                }
                measure.samples = samples
            case "error_rate":
                guard let rate = reader.double(field.value, "check \(check) error_rate", range: 0...1) else {
                    valid = false
                    continue
                }
                measure.errorRate = rate
            default:
                guard let duration = duration(field, check: check) else {
                    valid = false
                    continue
                }
                switch field.key {
                case "interval": measure.interval = duration
                case "hold": measure.hold = duration
                default:
                    guard let bound = CheckMeasure.Bound(rawValue: field.key) else { continue }
                    measure.bounds[bound] = duration
                }
            }
        }
        return valid ? measure : nil
    }

    private func duration(_ field: YAMLEntry, check: String) -> Duration? {
        guard let text = reader.scalar(field.value, field.key) else { return nil }
        guard let value = Self.duration(text) else {
            reader.error(.invalidValue, field.value, "check \(check): \(field.key) must be a duration such as 200ms, 5s or 2m, not '\(text)'")
            return nil
        }
        return value
    }

    func prometheusProbe(_ entry: YAMLEntry, what: String) -> Check.Probe? {
        guard let fields = reader.mapping(entry.value, what, allowed: ["url", "query", "expect", "empty", "token_env"]),
            let urlNode = required(fields, "url", in: entry.value, what: what),
            let url = reader.string(urlNode, "url"),
            let queryNode = required(fields, "query", in: entry.value, what: what),
            let query = reader.string(queryNode, "query"),
            let expectNode = required(fields, "expect", in: entry.value, what: what),
            let expectText = reader.string(expectNode, "expect")
        else { return nil }
        var valid = true
        if !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            reader.error(.invalidValue, urlNode, "\(what): '\(url)' is not an http:// or https:// URL")
            valid = false
        }
        let expect = Comparison(parsing: expectText)
        if expect == nil {
            reader.error(
                .invalidValue, expectNode, "\(what): expect '\(expectText)' is not a comparison",
                hint: "an operator (<, <=, >, >=, ==) and a number, e.g. \"< 0.01\"")
            valid = false
        }
        var emptyPasses = false
        var tokenEnv: String?
        for field in fields {
            if field.key == "empty" {
                switch reader.scalar(field.value, "empty") {
                case "pass"?: emptyPasses = true
                case "fail"?: emptyPasses = false
                case let other?:
                    reader.error(.invalidValue, field.value, "\(what): empty must be 'fail' or 'pass', not '\(other)'")
                    valid = false
                case nil: valid = false
                }
            }
            if field.key == "token_env" {
                tokenEnv = tokenVariable(field.value, what: what)
                if tokenEnv == nil { valid = false }
            }
        }
        guard valid, let expect else { return nil }
        return .prometheus(PrometheusQuery(url: url, query: query, expect: expect, emptyPasses: emptyPasses, tokenEnv: tokenEnv))
    }

    /// A variable name; never one of Plumb's own `PLUMB_*` secrets (SPEC §8.1), which a commit
    /// could otherwise send to any URL it names.
    private func tokenVariable(_ node: YAMLNode, what: String) -> String? {
        guard let name = reader.string(node, "token_env") else { return nil }
        let valid =
            name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
            && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        guard valid else {
            reader.error(.invalidValue, node, "\(what): token_env '\(name)' is not an environment variable name")
            return nil
        }
        guard !name.hasPrefix("PLUMB_") else {
            reader.error(
                .environment, node, "\(what): token_env may not read \(name): PLUMB_* variables are the agent's own secrets",
                hint: "put the Prometheus token in a variable of its own, e.g. PROM_TOKEN")
            return nil
        }
        return name
    }
}
