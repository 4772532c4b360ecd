import Foundation
import PlumbCore
import PlumbHTTP

/// The real probes behind checks: a DNS query to the named server, an HTTP request through
/// Plumb's HTTP client, a TCP connect, a command in the repository root.
public struct SystemProbe: CheckProbe {
    let http: HTTPClient
    /// Everything a command check receives besides its `env:` list and `PLUMB_CHUNK`: the
    /// minimal environment of SPEC §8.1 (see `CommandEnvironment`).
    let environment: [String: String]
    /// Where a Prometheus check's `token_env` is read: the operator's environment.
    let variable: @Sendable (String) -> String?
    /// Where a check's `env: [NAME, ...]` is looked up: Plumb's own environment.
    let available: [String: String]
    /// Applied to a command's whole output before it is cut to its last lines.
    let redactor: Redactor

    public init(
        http: HTTPClient = HTTPClient(maxConcurrent: 4), environment: [String: String] = [:],
        variable: @escaping @Sendable (String) -> String? = { ProcessInfo.processInfo.environment[$0] },
        available: [String: String] = [:], redactor: Redactor = Redactor()
    ) {
        self.http = http
        self.environment = environment
        self.variable = variable
        self.available = available
        self.redactor = redactor
    }

    public func attempt(_ check: Check, chunk: Int?, workingDirectory: String, remaining: Duration) async -> ProbeOutcome {
        guard case .command(let argv) = check.probe else {
            return await attempt(check.probe, workingDirectory: workingDirectory, remaining: remaining)
        }
        let variables = CommandEnvironment.build(base: environment, chunk: chunk, names: check.env, available: available)
        return await CommandProbe.run(argv, in: workingDirectory, environment: variables, timeout: remaining, redactor: redactor)
    }

    public func attempt(_ probe: Check.Probe, workingDirectory: String, remaining: Duration) async -> ProbeOutcome {
        let timeout = min(remaining, .seconds(5))
        switch probe {
        case .dns(let name, let type, let server, let expect):
            return await dns(name: name, type: type, server: server, expect: expect, timeout: timeout)
        case .http(let url, let status, let contains):
            do {
                let response = try await http.send(HTTPRequest(url: url, timeout: timeout))
                guard response.status == status else {
                    return ProbeOutcome(passed: false, detail: "\(url) answered \(response.status), expected \(status)")
                }
                if let contains, !response.text.contains(contains) {
                    return ProbeOutcome(passed: false, detail: "\(url) answered \(status) without '\(contains)' in the body")
                }
                return ProbeOutcome(passed: true, detail: "\(url) answered \(status)")
            } catch {
                return ProbeOutcome(passed: false, detail: "\(url): \(error)")
            }
        case .tcp(let host, let port):
            do {
                try await TCPProbe.connect(host: host, port: port, timeout: timeout)
                return ProbeOutcome(passed: true, detail: "\(host):\(port) accepts connections")
            } catch {
                return ProbeOutcome(passed: false, detail: "\(host):\(port): \(error)")
            }
        case .command(let argv):
            let variables = CommandEnvironment.build(base: environment, chunk: nil, names: [], available: available)
            return await CommandProbe.run(argv, in: workingDirectory, environment: variables, timeout: remaining, redactor: redactor)
        case .prometheus(let query):
            return await PrometheusProbe(http: http, variable: variable).attempt(query, timeout: timeout)
        }
    }

    private func dns(name: String, type: RecordType, server: String, expect: [String], timeout: Duration) async -> ProbeOutcome {
        let (host, port) = Self.hostPort(server, defaultPort: 53)
        do {
            let answer = try await DNSClient.query(name: name, type: type.rawValue, server: host, port: port, timeout: timeout)
            let got = answer.values.compactMap { value -> String? in
                switch RecordValues.canonical(value, type: type) {
                case .success(let canonical): return canonical
                case .failure: return value
                }
            }.sorted()
            if Set(got) == Set(expect) {
                return ProbeOutcome(passed: true, detail: "\(name) \(type.rawValue) @\(server) = \(got.joined(separator: ", "))")
            }
            let shown = got.isEmpty ? "no \(type.rawValue) records (\(answer.rcodeName))" : got.joined(separator: ", ")
            return ProbeOutcome(
                passed: false, detail: "\(name) \(type.rawValue) @\(server) answered \(shown), expected \(expect.joined(separator: ", "))")
        } catch {
            return ProbeOutcome(passed: false, detail: "\(name) \(type.rawValue) @\(server): \(error)")
        }
    }

    /// `host:port`, `[v6]:port` or a bare host.
    static func hostPort(_ text: String, defaultPort: Int) -> (String, Int) {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            return (host, rest.hasPrefix(":") ? Int(rest.dropFirst()) ?? defaultPort : defaultPort)
        }
        let parts = text.split(separator: ":")
        if parts.count == 2, let port = Int(parts[1]) { return (String(parts[0]), port) }
        return (text, defaultPort)
    }
}
