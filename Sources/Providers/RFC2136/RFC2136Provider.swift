import Foundation
import PlumbChecks
import PlumbCore
import PlumbProviderKit

/// `kind: rfc2136` (SPEC §8.5): the records of zones on any server that speaks DNS UPDATE
/// and zone transfer (BIND 9, Knot, PowerDNS, Windows DNS), every message TSIG-signed.
///
/// Describe is one AXFR per zone. A batch is one UPDATE per zone, whose prerequisites
/// say the rrsets it replaces or deletes still hold what the plan saw. Read-back is one
/// query per changed rrset. The zones themselves belong to the server: the binding's
/// `zones:` names those Plumb may change.
public struct RFC2136Provider: Provider {
    public let binding: ProviderBinding
    let client: RFC2136Client
    let zones: [String]
    /// Messages in flight: each waits on a thread of its own (the dns check's sockets).
    let limiter: ConcurrencyLimiter

    /// Requests this binding has sent in this process, retries included.
    public var requestsSent: Int { client.counts.withLock { $0.values.reduce(0, +) } }
    /// The same by operation: `AXFR zone.`, `UPDATE zone.`, `query`.
    public var operationCounts: [String: Int] { client.counts.withLock { $0 } }

    public init(binding: ProviderBinding, retry: RetryPolicy = RetryPolicy()) throws {
        let settings = binding.settings
        func invalid(_ message: String) -> ProviderError { ProviderError(.invalid, provider: binding.name, message) }
        guard let server = settings["server"], case let (host, port)? = Self.hostAndPort(server) else {
            throw invalid("server must be HOST:PORT or HOST (port 53), e.g. 127.0.0.1:53")
        }
        guard let algorithmText = settings["tsig.algorithm"], let algorithm = TSIGKey.Algorithm(rawValue: algorithmText.lowercased()) else {
            throw invalid("tsig.algorithm must be one of \(TSIGKey.Algorithm.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let name = settings["tsig.name"], !name.isEmpty,
            let key = TSIGKey(name: name, algorithm: algorithm, secret: settings["tsig.secret"] ?? "")
        else {
            throw invalid("tsig needs a name and a base64 secret, as in named.conf or knot.conf")
        }
        self.binding = binding
        zones = (settings["zones"] ?? "").split(separator: ",").map(String.init)
        limiter = ConcurrencyLimiter(limit: binding.concurrency)
        client = RFC2136Client(
            provider: binding.name, host: host, port: port, key: key, rateLimit: binding.rateLimit, retry: retry,
            timeout: binding.timeout ?? .seconds(5))
    }

    static func hostAndPort(_ server: String) -> (String, Int)? {
        if server.hasPrefix("[") {  // [2001:db8::1]:53
            guard let close = server.firstIndex(of: "]") else { return nil }
            let host = String(server[server.index(after: server.startIndex)..<close])
            let rest = server[server.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix(":") else { return nil }
            let port = rest.isEmpty ? 53 : Int(rest.dropFirst())
            return port.flatMap { (1...65535).contains($0) ? (host, $0) : nil }
        }
        let pieces = server.split(separator: ":")
        guard pieces.count <= 2, let host = pieces.first, !host.isEmpty else { return nil }
        guard let port = pieces.count == 2 ? Int(pieces[1]) : 53, (1...65535).contains(port) else { return nil }
        return (String(host), port)
    }

    public func describe(_ scope: DescribeScope) async throws -> Inventory {
        var inventory = Inventory()
        guard !scope.kinds.isDisjoint(with: [.zone, .record]) else { return inventory }
        if scope.kinds.contains(.record) {
            let wanted = zones.filter { scope.everything || scope.zones.contains($0) }
            let client = self.client
            let transfers = try await concurrentMap(wanted, limiter: limiter) { zone in (zone, try await client.transfer(zone: zone)) }
            for (zone, records) in transfers {
                inventory.merge(RFC2136Mapping.inventory(records, zone: zone))
            }
        }
        for zone in zones {
            inventory.resources[.zone(zone)] = LiveResource(address: .zone(zone), spec: .zone(ZoneSpec()), id: zone)
        }
        return inventory
    }

    public func apply(_ changes: [Change], context: ApplyContext) async -> BatchResult {
        var outcomes: [Address: ChangeOutcome.Status] = [:]
        for change in changes where change.address.kind == .zone {
            // The zones exist on the server; Plumb neither creates nor deletes them.
            let listed = zones.contains(change.address.name)
            outcomes[change.address] =
                listed && change.action != .delete
                ? .applied(id: change.address.name)
                : .failed(
                    ProviderError(
                        .invalid, provider: binding.name,
                        listed
                            ? "DNS UPDATE cannot delete a zone; remove it on the server, then from zones: in Providers/\(binding.name).yaml"
                            : "zone \(change.address.name) is not in zones: of Providers/\(binding.name).yaml", address: change.address))
        }
        let byZone = Dictionary(grouping: changes.filter { $0.address.kind == .record }) { $0.address.zoneName ?? "" }
        for zone in byZone.keys.sorted() {
            let batch = byZone[zone] ?? []
            let result = await applyZone(zone, batch)
            for change in batch { outcomes[change.address] = result[change.address] ?? .notAttempted }
            if result.values.contains(where: \.isFailed) { break }
        }
        return BatchResult(outcomes: changes.map { ChangeOutcome(address: $0.address, status: outcomes[$0.address] ?? .notAttempted) })
    }

    /// Read back by query, one per rrset: what the server answers now.
    public func readBack(_ addresses: [Address], scope: DescribeScope) async throws -> Inventory {
        var inventory = Inventory()
        let client = self.client
        let answers = try await concurrentMap(addresses.filter { $0.kind == .record }, limiter: limiter) { address in
            (address, try await Self.live(address, client: client))
        }
        for (address, spec) in answers {
            if let spec { inventory.resources[address] = LiveResource(address: address, spec: .record(spec)) }
        }
        for address in addresses where address.kind == .zone && zones.contains(address.name) {
            inventory.resources[address] = LiveResource(address: address, spec: .zone(ZoneSpec()), id: address.name)
        }
        return inventory
    }

    /// The rrset of `address` as the server answers it; nil when there is none.
    static func live(_ address: Address, client: RFC2136Client) async throws -> RecordSpec? {
        guard let parts = address.recordParts, let type = RFC2136Mapping.wireType(parts.type) else { return nil }
        let name = DNSName.absolute(parts.name, zone: parts.zone)
        let response = try await client.query(name: name, type: type)
        guard response.rcode == 0 || response.rcode == 3 else {
            throw client.failure(response, what: "query for \(name) \(parts.type.rawValue)")
        }
        // A delegation's NS comes back as a referral, in the authority section.
        let section = parts.type == .NS && response.answers.isEmpty ? response.authority : response.answers
        let records = section.filter { $0.type == type.rawValue && $0.name == name.lowercased() }
        guard let first = records.first else { return nil }
        return RecordSpec(ttl: Int(first.ttl), values: records.map { RFC2136Mapping.value(parts.type, $0.value) })
    }
}
