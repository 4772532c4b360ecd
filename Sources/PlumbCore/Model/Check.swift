/// A check run after chunks whose addresses match one of its `after` globs.
public struct Check: Hashable, Sendable, Codable {
    public enum Probe: Hashable, Sendable, Codable {
        case dns(name: String, type: RecordType, server: String, expect: [String])
        case http(url: String, status: Int, contains: String?)
        case tcp(host: String, port: Int)
        case command([String])
        case prometheus(PrometheusQuery)

        /// Command checks pass or fail by exit status: they take no measuring keys.
        public var measures: Bool {
            if case .command = self { return false }
            return true
        }
    }

    public var name: String
    public var after: [String]
    public var probe: Probe
    /// How long the check may keep retrying before it fails.
    public var timeout: Duration
    /// Samples, latency bounds, error rate and hold window (SPEC §8.7).
    public var measure: CheckMeasure
    /// `env: [NAME, ...]`: variables of Plumb's environment a `command:` check receives on
    /// top of the minimal environment (SPEC §8.1); nothing else of it reaches the command.
    public var env: [String]
    public var location: SourceLocation?

    public init(
        name: String, after: [String] = ["*"], probe: Probe, timeout: Duration = .seconds(10),
        measure: CheckMeasure = CheckMeasure(), env: [String] = [], location: SourceLocation? = nil
    ) {
        self.name = name
        self.after = after
        self.probe = probe
        self.timeout = timeout
        self.measure = measure
        self.env = env
        self.location = location
    }

    enum CodingKeys: String, CodingKey { case name, after, probe, timeout, measure, env, location }

    /// `measure` may be absent in what older versions wrote: it reads as a plain check.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        after = try container.decode([String].self, forKey: .after)
        probe = try container.decode(Probe.self, forKey: .probe)
        timeout = try container.decode(Duration.self, forKey: .timeout)
        measure = try container.decodeIfPresent(CheckMeasure.self, forKey: .measure) ?? CheckMeasure()
        env = try container.decodeIfPresent([String].self, forKey: .env) ?? []
        location = try container.decodeIfPresent(SourceLocation.self, forKey: .location)
    }

    /// Whether this check runs after a chunk holding `addresses`.
    public func applies(to addresses: [Address]) -> Bool {
        addresses.contains { address in after.contains { Glob.matches($0, address.description) } }
    }

    /// Short human description: `dns www.example.com. A @127.0.0.1:5353`.
    public var summary: String {
        switch probe {
        case .dns(let name, let type, let server, _): return "dns \(name) \(type.rawValue) @\(server)"
        case .http(let url, let status, _): return "http \(url) → \(status)"
        case .tcp(let host, let port): return "tcp \(host):\(port)"
        case .command(let argv): return "command \(argv.joined(separator: " "))"
        case .prometheus(let query): return "prometheus \(query.query) \(query.expect) @\(query.url)"
        }
    }
}
