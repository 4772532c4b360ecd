import Foundation
import PlumbCore
import PlumbHTTP

/// A Prometheus instant query (`GET /api/v1/query`) through Plumb's HTTP client, judged by
/// the core's `PrometheusVerdict`.
struct PrometheusProbe: Sendable {
    let http: HTTPClient
    /// Reads the variable `token_env` names (the process environment outside tests).
    let variable: @Sendable (String) -> String?

    func attempt(_ query: PrometheusQuery, timeout: Duration) async -> ProbeOutcome {
        let url = "\(query.url)/api/v1/query?query=\(Self.encode(query.query))"
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let name = query.tokenEnv {
            guard let token = variable(name), !token.isEmpty else {
                return ProbeOutcome(passed: false, detail: "prometheus at \(query.url): token_env \(name) is not set")
            }
            headers.append(("Authorization", "Bearer \(token)"))
        }
        let response: HTTPResponse
        do {
            response = try await http.send(HTTPRequest(url: url, headers: headers, timeout: timeout))
        } catch {
            return ProbeOutcome(passed: false, detail: "prometheus at \(query.url) did not answer: \(error)")
        }
        do {
            let series = try PrometheusResponse.series(status: response.status, body: response.body)
            return PrometheusVerdict.judge(series, query: query)
        } catch {
            return ProbeOutcome(passed: false, detail: "prometheus at \(query.url): \(error.message)")
        }
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters: PromQL is full of
    /// `{}`, `"`, `=~`, `+` and spaces.
    static func encode(_ text: String) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}

/// Reads `/api/v1/query` answers: `{"status":"success","data":{"resultType":"vector",
/// "result":[{"metric":{...},"value":[ts,"1.5"]}]}}`, or a scalar's `"result":[ts,"1.5"]`.
enum PrometheusResponse {
    struct Failure: Error, Equatable {
        var message: String
    }

    static func series(status: Int, body: Data) throws(Failure) -> [QuerySeries] {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw Failure(message: "answered \(status) with something other than Prometheus JSON")
        }
        if object["status"] as? String == "error" || !(200..<300).contains(status) {
            let kind = object["errorType"] as? String ?? "error"
            let text = (object["error"] as? String ?? "no message").prefix(300)
            throw Failure(message: "answered \(status): \(kind): \(text.replacingOccurrences(of: "\n", with: " "))")
        }
        guard let data = object["data"] as? [String: Any], let type = data["resultType"] as? String else {
            throw Failure(message: "answered without data.resultType")
        }
        switch type {
        case "scalar":
            guard let pair = data["result"] as? [Any] else { throw Failure(message: "a scalar result without a value") }
            return [QuerySeries(value: try value(pair))]
        case "vector":
            guard let list = data["result"] as? [[String: Any]] else { throw Failure(message: "a vector result that is not a list") }
            var series: [QuerySeries] = []
            for entry in list {
                let labels = (entry["metric"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
                guard let pair = entry["value"] as? [Any] else { throw Failure(message: "a series without a value") }
                series.append(QuerySeries(labels: labels, value: try value(pair)))
            }
            return series
        default:
            throw Failure(message: "the query gives a \(type), not a number or an instant vector; compare a scalar or an instant vector")
        }
    }

    /// `[1700000000.123, "0.5"]`: Prometheus sends sample values as strings, `NaN` and
    /// `+Inf` included.
    static func value(_ pair: [Any]) throws(Failure) -> Double {
        guard pair.count == 2, let text = pair[1] as? String else { throw Failure(message: "a sample that is not [time, \"value\"]") }
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default:
            guard let number = Double(text) else { throw Failure(message: "a sample value '\(text.prefix(40))' that is not a number") }
            return number
        }
    }
}
