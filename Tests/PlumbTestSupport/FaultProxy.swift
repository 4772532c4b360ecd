import Foundation

/// A fault-injecting HTTP proxy in front of one upstream (a PowerDNS or moto server), started
/// for one test through `scripts/servers/fault-proxy` (a free port on 127.0.0.1, a temp
/// directory). Point the client at `url`: every request is forwarded, each on a fresh upstream
/// connection, and answered on a connection kept alive with the client, until a scenario of
/// `Rule`s says otherwise. A proxy that cannot start is a test failure, never a skip.
///
/// Rules are tried in order; a rule counts each matching request that reaches it and is
/// active unless it has yet to skip `after` matches, has applied `times` times already, or
/// loses its `probability` draw (seeded by `set(_:seed:)`). The first active rule applies and
/// no later rule sees the request.
///
/// libcurl sends a request again, once, on a fresh connection when a *reused* keep-alive
/// connection closes before any byte of an answer: a `.reset` or `.stall` on a reused
/// connection shows in `log()` as that request followed by its silent retry.
public final class FaultProxy: @unchecked Sendable {
    public let url: String
    public let port: Int
    private let pid: Int32
    let directory: String

    public typealias StartFailure = PowerDNSServer.StartFailure

    /// Which requests a rule applies to; every given criterion must hold.
    public struct Match: Encodable, Sendable {
        /// Exactly, case-insensitive.
        public var method: String?
        /// A regular expression (Python `re.search`) on the path without its query, still percent-encoded.
        public var path: String?
        /// A regular expression on the query string (after `?`).
        public var query: String?
        /// A regular expression on the body as text (`Action=DescribeVpcs` for an EC2 Query call).
        public var body: String?

        public init(method: String? = nil, path: String? = nil, query: String? = nil, body: String? = nil) {
            self.method = method
            self.path = path
            self.query = query
            self.body = body
        }
    }

    public enum Fault: String, Encodable, Sendable {
        /// Answers `status` itself, without forwarding.
        case status
        /// Closes the client connection at once with an RST (SO_LINGER 0), no answer.
        case reset
        /// Waits `ms`, then closes the connection without answering.
        case stall
        /// Forwards, then sends the full Content-Length but half the body, and closes.
        case truncate
        /// Waits `ms`, then forwards.
        case latency
        /// Forwards (the upstream does the work), then answers `status` to the client.
        case afterForwardStatus = "after_forward_status"
    }

    /// One rule of a scenario; nil fields are left out (the proxy's defaults apply: status 503
    /// for `.status`, 500 for `.afterForwardStatus`, 30 000 ms for `.stall`, 200 ms for `.latency`).
    public struct Rule: Encodable, Sendable {
        public var fault: Fault
        public var match: Match?
        public var status: Int?
        /// A `Retry-After` header on the answer of `.status` and `.afterForwardStatus`.
        public var retryAfter: String?
        public var body: String?
        public var headers: [String: String]?
        public var ms: Int?
        /// Applies to the first `times` active matches, then never again.
        public var times: Int?
        /// Skips the first `after` matching requests.
        public var after: Int?
        public var probability: Double?

        enum CodingKeys: String, CodingKey {
            case fault, match, status
            case retryAfter = "retry_after"
            case body, headers, ms, times, after, probability
        }

        public init(
            _ fault: Fault, status: Int? = nil, retryAfter: String? = nil, body: String? = nil,
            headers: [String: String]? = nil, ms: Int? = nil, times: Int? = nil, after: Int? = nil,
            probability: Double? = nil, match: Match? = nil
        ) {
            self.fault = fault
            self.status = status
            self.retryAfter = retryAfter
            self.body = body
            self.headers = headers
            self.ms = ms
            self.times = times
            self.after = after
            self.probability = probability
            self.match = match
        }

        public static func status(
            _ status: Int, retryAfter: String? = nil, body: String? = nil, headers: [String: String]? = nil,
            times: Int? = nil, after: Int? = nil, probability: Double? = nil, match: Match? = nil
        ) -> Rule {
            Rule(
                .status, status: status, retryAfter: retryAfter, body: body, headers: headers,
                times: times, after: after, probability: probability, match: match)
        }

        public static func reset(times: Int? = nil, after: Int? = nil, probability: Double? = nil, match: Match? = nil) -> Rule {
            Rule(.reset, times: times, after: after, probability: probability, match: match)
        }

        public static func stall(
            ms: Int, times: Int? = nil, after: Int? = nil, probability: Double? = nil, match: Match? = nil
        ) -> Rule {
            Rule(.stall, ms: ms, times: times, after: after, probability: probability, match: match)
        }

        public static func truncate(times: Int? = nil, after: Int? = nil, probability: Double? = nil, match: Match? = nil) -> Rule {
            Rule(.truncate, times: times, after: after, probability: probability, match: match)
        }

        public static func latency(
            ms: Int, times: Int? = nil, after: Int? = nil, probability: Double? = nil, match: Match? = nil
        ) -> Rule {
            Rule(.latency, ms: ms, times: times, after: after, probability: probability, match: match)
        }

        public static func afterForwardStatus(
            _ status: Int, retryAfter: String? = nil, body: String? = nil, headers: [String: String]? = nil,
            times: Int? = nil, after: Int? = nil, probability: Double? = nil, match: Match? = nil
        ) -> Rule {
            Rule(
                .afterForwardStatus, status: status, retryAfter: retryAfter, body: body, headers: headers,
                times: times, after: after, probability: probability, match: match)
        }
    }

    /// One request the proxy saw (control calls excepted), in arrival order.
    public struct Entry: Decodable, Sendable, Equatable {
        /// 0 for the first request since start (or since `clear(log: true)`).
        public var seq: Int
        public var method: String
        /// Path and query, as sent.
        public var path: String
        /// The fault's name (`"status"`, `"reset"`, … `"after_forward_status"`), or `"forwarded"`.
        public var fault: String
        /// The index of the rule that applied.
        public var rule: Int?
        /// The upstream's status, when the request was forwarded and answered.
        public var upstreamStatus: Int?
        /// Why forwarding failed (or the client went away), if it did.
        public var error: String?

        /// Reached the upstream, which answered.
        public var reachedUpstream: Bool { upstreamStatus != nil }

        enum CodingKeys: String, CodingKey {
            case seq, method, path, fault, rule
            case upstreamStatus = "upstream_status"
            case error
        }
    }

    static var script: String { PowerDNSServer.projectRoot.appendingPathComponent("scripts/servers/fault-proxy").path }

    /// Starts a proxy that forwards to `upstream` (an `http://` URL, such as a server's `url`).
    public init(upstream: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fault-proxy-\(UUID().uuidString.prefix(8))").path
        let (status, output) = try PowerDNSServer.run([Self.script, "start", directory, "--upstream", upstream])
        guard status == 0, let data = output.split(separator: "\n").last.map({ Data($0.utf8) }),
            let info = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let url = info["url"] as? String, let port = info["port"] as? Int, let pid = info["pid"] as? Int
        else {
            _ = try? PowerDNSServer.run([Self.script, "stop", directory])
            try? FileManager.default.removeItem(atPath: directory)
            throw StartFailure(description: "could not start the fault proxy (scripts/servers/fault-proxy start; needs python3): \(output)")
        }
        (self.url, self.port, self.pid) = (url, port, Int32(pid))
    }

    deinit {
        _ = try? PowerDNSServer.run([Self.script, "stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    private struct Scenario: Encodable {
        var rules: [Rule]
        var seed: Int?
    }

    /// Replaces the scenario (and restarts every rule's counters); `seed` makes `probability` draws reproducible.
    public func set(_ rules: [Rule], seed: Int? = nil) throws {
        let body = String(decoding: try JSONEncoder().encode(Scenario(rules: rules, seed: seed)), as: UTF8.self)
        _ = try control("PUT", "/_faults", body: body)
    }

    /// Removes every rule (requests are forwarded again); `log: true` empties the log too.
    public func clear(log: Bool = false) throws {
        _ = try control("DELETE", log ? "/_faults?log=1" : "/_faults")
    }

    /// Every request seen so far, in order. A request is logged before its fault or answer,
    /// and its upstream status before the client gets its answer.
    public func log() throws -> [Entry] {
        try JSONDecoder().decode([Entry].self, from: Data(control("GET", "/_faults/log").utf8))
    }

    private func control(_ method: String, _ path: String, body: String? = nil) throws -> String {
        var arguments = ["curl", "-sS", "--noproxy", "*", "--max-time", "30", "-o", "/dev/stdout", "-w", "\n%{http_code}", "-X", method]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        arguments.append(url + path)
        let (status, output) = try PowerDNSServer.run(arguments)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        let code = Int(lines.last ?? "") ?? 0
        guard status == 0, code == 200 else {
            throw StartFailure(description: "fault proxy \(method) \(path) failed (curl \(status), HTTP \(code)): \(output)")
        }
        return lines.dropLast().joined(separator: "\n")
    }
}
