import Foundation
import Glibc
import PlumbCore

/// A private BIND 9, Knot DNS or PowerDNS server started for one test through
/// `scripts/servers/bind`, `knot` or `pdns-update` (a free port on 127.0.0.1, a TSIG key, one
/// zone). A server that cannot start is a test failure, never a skip.
public final class DNSUpdateServer: @unchecked Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case bind, knot, powerdns

        /// The script under scripts/servers that starts and stops it.
        var script: String { self == .powerdns ? "pdns-update" : rawValue }
    }

    public let kind: Kind
    public let zone: String
    public let port: Int
    public let keyName: String
    public let algorithm: String
    public let secret: String
    let directory: String

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// `zoneFile`: a zone file to serve (default: SOA, NS, the name server's address).
    /// `transferSize` (BIND): the largest zone-transfer message, to split transfers.
    public init(_ kind: Kind, zone: String = "example.test.", zoneFile: String? = nil, algorithm: String = "hmac-sha256", transferSize: Int? = nil)
        throws
    {
        self.kind = kind
        directory = "/tmp/\(kind.rawValue)-\(UUID().uuidString.prefix(8))"
        var arguments = [
            PowerDNSServer.projectRoot.appendingPathComponent("scripts/servers/\(kind.script)").path, "start", directory,
            "--zone", zone, "--algorithm", algorithm,
        ]
        if let zoneFile { arguments += ["--zone-file", zoneFile] }
        if let transferSize { arguments += ["--transfer-size", String(transferSize)] }
        let (status, output) = try PowerDNSServer.run(arguments)
        guard status == 0, let line = output.split(separator: "\n").last,
            let info = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let port = info["dns_port"] as? Int, let keyName = info["tsig_name"] as? String,
            let secret = info["tsig_secret"] as? String, let zone = info["zone"] as? String
        else {
            throw StartFailure(description: "could not start \(kind.rawValue) (install bind9 / knot / pdns-server): \(output)")
        }
        (self.zone, self.port, self.keyName, self.secret, self.algorithm) = (zone, port, keyName, secret, algorithm)
    }

    deinit {
        let script = PowerDNSServer.projectRoot.appendingPathComponent("scripts/servers/\(kind.script)").path
        _ = try? PowerDNSServer.run([script, "stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A binding of kind rfc2136 for this server's zone; `secret` overrides the key's.
    public func binding(name: String = "dns", secret: String? = nil, rateLimit: Double? = nil) -> ProviderBinding {
        ProviderBinding(
            name: name, type: .rfc2136,
            settings: [
                "server": "127.0.0.1:\(port)", "tsig.name": keyName, "tsig.algorithm": algorithm,
                "tsig.secret": secret ?? self.secret, "zones": zone,
            ],
            secretKeys: ["tsig.secret"], rateLimit: rateLimit ?? 1000)
    }

    /// Runs `nsupdate` with the key, as a person would behind Plumb's back.
    public func nsupdate(_ commands: [String]) throws {
        let script = (["server 127.0.0.1 \(port)", "zone \(zone)"] + commands + ["send"]).joined(separator: "\n") + "\n"
        let file = "\(directory)/nsupdate-\(UUID().uuidString.prefix(6)).txt"
        try Data(script.utf8).write(to: URL(fileURLWithPath: file))
        let (status, output) = try PowerDNSServer.run(["nsupdate", "-y", "\(algorithm):\(keyName):\(secret)", file])
        guard status == 0 else { throw StartFailure(description: "nsupdate failed: \(output)") }
    }

    /// What `dig` answers for one rrset (values as dig prints them, sorted).
    public func dig(_ name: String, _ type: String) throws -> [String] {
        try PowerDNSServer.dig(name, type, port: port)
    }
}

extension PowerDNSServer {
    /// `dig +short` against a server on 127.0.0.1.
    public static func dig(_ name: String, _ type: String, port: Int) throws -> [String] {
        let (status, output) = try run(["dig", "+short", "+norecurse", "-p", String(port), "@127.0.0.1", name, type])
        guard status == 0 else { throw StartFailure(description: "dig failed: \(output)") }
        return output.split(separator: "\n").map(String.init).sorted()
    }

    /// Loads a zone file into the server's database (`pdnsutil load-zone`), replacing the zone.
    public func loadZone(_ zone: String, file: String) throws {
        let (status, output) = try Self.run(["pdnsutil", "--config-dir=\(directory)", "load-zone", zone, file])
        guard status == 0, !output.contains("Error") else { throw StartFailure(description: "pdnsutil load-zone failed: \(output)") }
    }

    /// Where the repository's test fixtures are.
    public static func fixture(_ path: String) -> String {
        projectRoot.appendingPathComponent("Tests/Fixtures/\(path)").path
    }
}
