import Foundation
import PlumbCore
import PlumbHTTP
import PlumbProviderKit

/// `kind: powerdns`: zones and records of a PowerDNS Authoritative server over its HTTP API.
///
/// Describe is one GET of the zone list plus one GET of each zone's export (every rrset at
/// once, a third of the JSON's cost to the server: decision 54), zones in parallel within the
/// binding's concurrency; a focused describe (`DescribeScope.records`) reads only those
/// records, as a read-back does. A batch of record changes is one PATCH per
/// zone, which PowerDNS applies atomically. SOA and apex NS belong to the server: never
/// reported, never written.
public struct PowerDNSProvider: Provider {
    public let binding: ProviderBinding
    let api: PowerDNSAPI

    /// Requests this binding has sent in this process.
    public var requestsSent: Int { api.transport.requestsSent }
    /// The same, by operation (`describe zone a.example.`, `update zone …`).
    public var operationCounts: [String: Int] { api.transport.operationCounts }
    let nameservers: [String]
    let zoneLimiter: ConcurrencyLimiter
    /// Rrsets per zone at the last describe: what a whole-zone read-back would cost.
    let zoneSizes = Locked<[String: Int]>([:])

    public init(binding: ProviderBinding, retry: RetryPolicy = RetryPolicy()) throws {
        guard let url = binding.settings["url"], url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ProviderError(.invalid, provider: binding.name, "url must be the API's http:// or https:// base URL")
        }
        guard let key = binding.settings["api_key"], !key.isEmpty else {
            throw ProviderError(.invalid, provider: binding.name, "api_key is empty")
        }
        self.binding = binding
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        api = PowerDNSAPI(
            transport: ProviderTransport.shared(for: binding, retry: retry), baseURL: base,
            server: binding.settings["server"] ?? "localhost", apiKey: key, provider: binding.name)
        nameservers = (binding.settings["nameservers"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        zoneLimiter = ConcurrencyLimiter(limit: binding.concurrency)
    }

    public func describe(_ scope: DescribeScope) async throws -> Inventory {
        guard !scope.kinds.isDisjoint(with: [.zone, .record]) else { return Inventory() }
        let existing = try await api.listZones()
        var inventory = Inventory()
        if scope.kinds.contains(.record), let records = scope.records {
            // A focused describe (a push that touched a few records): those rrsets alone, as
            // a read-back reads them, instead of every zone whole (a 10,000-rrset zone's
            // export is 23-33 ms of PowerDNS's time, one rrset 1-2 ms).
            let listed = Set(existing.map { $0.name.lowercasedIfNeeded() })
            let zones = Set(scope.zones).intersection(listed)
            inventory = try await readBack(records.filter { $0.zoneName.map(zones.contains) ?? false }.sorted(), scope: scope)
        } else if scope.kinds.contains(.record) {
            let wanted = Set(scope.zones)
            let api = self.api
            let zones = try await concurrentMap(existing.filter { wanted.contains($0.name.lowercasedIfNeeded()) }, limiter: zoneLimiter) { zone in
                let name = zone.name.lowercasedIfNeeded()
                do {
                    // The body is handed over, not kept here: the reader drops it once read.
                    let (inventory, size) = try await PowerDNSMapping.inventory(export: try await api.zoneExportData(zone.id), zone: name)
                    return (name, inventory, size)
                } catch let error as ZoneExport.Malformed {
                    throw api.malformed(error)
                }
            }
            for (name, zone, size) in zones {
                zoneSizes.withLock { $0[name] = size }
                // The first zone becomes the inventory as it is; zones are added after it.
                inventory.merge(zone)
            }
        }
        for zone in existing {
            let name = zone.name.lowercased()
            inventory.resources[.zone(name)] = LiveResource(address: .zone(name), spec: .zone(ZoneSpec()), id: zone.id)
        }
        return inventory
    }

    public func apply(_ changes: [Change], context: ApplyContext) async -> BatchResult {
        var outcomes: [Address: ChangeOutcome.Status] = [:]
        var failed = false
        // Zones first, then records zone by zone (one atomic PATCH each), then zone deletes.
        let zoneCreates = changes.filter { $0.address.kind == .zone && $0.action != .delete }
        let recordChanges = changes.filter { $0.address.kind == .record }
        let zoneDeletes = changes.filter { $0.address.kind == .zone && $0.action == .delete }
        for change in zoneCreates {
            do {
                try await api.createZone(change.address.name, nameservers: nameservers)
                outcomes[change.address] = .applied(id: change.address.name)
            } catch {
                outcomes[change.address] = .failed(providerError(error, change.address))
                failed = true
                break
            }
        }
        if !failed {
            let byZone = Dictionary(grouping: recordChanges) { $0.address.zoneName ?? "" }
            for zone in byZone.keys.sorted() {
                let batch = byZone[zone] ?? []
                do {
                    try await api.patch(zone, batch.map(PowerDNSMapping.rrset))
                    for change in batch { outcomes[change.address] = .applied(id: nil) }
                } catch {
                    let failure = providerError(error, nil)
                    for change in batch { outcomes[change.address] = .failed(failure) }
                    failed = true
                    break
                }
            }
        }
        if !failed {
            for change in zoneDeletes {
                do {
                    try await api.deleteZone(change.liveID ?? change.address.name)
                    outcomes[change.address] = .applied(id: nil)
                } catch {
                    outcomes[change.address] = .failed(providerError(error, change.address))
                    break
                }
            }
        }
        return BatchResult(outcomes: changes.map { ChangeOutcome(address: $0.address, status: outcomes[$0.address] ?? .notAttempted) })
    }

    /// A small chunk is confirmed rrset by rrset (`?rrset_name=&rrset_type=`, in parallel), so
    /// a one-record change never re-reads a large zone; a larger one with one export of each
    /// zone it touched (`ZoneExport`: a third of the JSON's cost to PowerDNS). Zone-level
    /// changes also consult the zone list.
    public func readBack(_ addresses: [Address], scope: DescribeScope) async throws -> Inventory {
        let wanted = Set(addresses)
        var inventory = Inventory()
        if addresses.contains(where: { $0.kind == .zone }) {
            let zones = try await api.listZones().map { $0.name.lowercased() }
            for name in zones where wanted.contains(.zone(name)) {
                inventory.resources[.zone(name)] = LiveResource(address: .zone(name), spec: .zone(ZoneSpec()), id: name)
            }
        }
        let records = Dictionary(grouping: addresses.filter { $0.kind == .record }) { $0.zoneName ?? "" }
        let api = self.api
        let limiter = zoneLimiter
        for zone in records.keys.sorted() {
            let inZone = records[zone] ?? []
            do {
                let described: [PowerDNSAPI.Zone]
                if readsBackByRRSet(inZone.count, zone: zone) {
                    described = try await concurrentMap(inZone.compactMap(\.recordParts), limiter: limiter) { parts in
                        try await api.rrset(zone, name: DNSName.absolute(parts.name, zone: zone), type: parts.type.rawValue)
                    }
                } else {
                    let owners = Set(inZone.compactMap(\.recordParts).map { DNSName.absolute($0.name, zone: zone).lowercasedIfNeeded() })
                    described = [try await api.zoneExport(zone, owners: owners)]
                }
                for part in described {
                    inventory.resources.merge(PowerDNSMapping.inventory(of: part, only: wanted).resources) { _, new in new }
                }
            } catch let error as ProviderError where error.code == .notFound {
                continue
            }
        }
        return inventory
    }

    /// Up to this many records of one zone are always read back one rrset at a time: a
    /// handful of small GETs instead of the whole zone, within any sensible rate limit.
    static let rrsetReadBackLimit = 8

    /// The read-back's cost model. One small GET costs about as much as four hundred rrsets
    /// of the zone's export (measured on PowerDNS 4.7.3: 1.0–1.8 ms against 23–33 ms for a
    /// 10,000-rrset export, read and filtered). So `count` rrsets are read one by one when
    /// that is cheaper than the zone as the last describe saw it, and when it spends at most
    /// a quarter of the binding's per-second rate budget (the default, 50/s, allows 12);
    /// otherwise the zone's export is read, once.
    func readsBackByRRSet(_ count: Int, zone: String) -> Bool {
        if count <= Self.rrsetReadBackLimit { return true }
        let size = zoneSizes.withLock { $0[zone] } ?? 0
        return Double(count) <= binding.rateLimit / 4 && count * 400 <= size
    }

    private func providerError(_ error: any Error, _ address: Address?) -> ProviderError {
        if var providerError = error as? ProviderError {
            providerError.address = providerError.address ?? address
            return providerError
        }
        return ProviderError(.other, provider: binding.name, "\(error)", address: address)
    }
}
