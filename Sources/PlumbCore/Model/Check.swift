/// A check run after chunks whose addresses match one of its `after` globs.
public struct Check: Hashable, Sendable, Codable {
    public enum Probe: Hashable, Sendable, Codable {
        case dns(name: String, type: RecordType, server: String, expect: [String])
        case http(url: String, status: Int, contains: String?)
        case tcp(host: String, port: Int)
        case command([String])
    }

    public var name: String
    public var after: [String]
    public var probe: Probe
    /// How long the check may keep retrying before it fails.
    public var timeout: Duration
    public var location: SourceLocation?

    public init(
        name: String, after: [String] = ["*"], probe: Probe, timeout: Duration = .seconds(10),
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.after = after
        self.probe = probe
        self.timeout = timeout
        self.location = location
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
        }
    }
}
