import Foundation
import PlumbCore
import PlumbProviderKit

/// Route 53: hosted zones and their record sets.
///
/// A zone's records are read with paginated ListResourceRecordSets; a batch of record
/// changes is one ChangeResourceRecordSets request per zone (split at Route 53's limits),
/// UPSERT for writes and DELETE with the exact live values. SOA and apex NS are Route 53's.
struct AWSDNS: Sendable {
    let route53: Route53API
    let provider: String
    /// How long to wait for a change to reach every Route 53 server (INSYNC).
    var syncTimeout: Duration = .seconds(120)

    func describe(zones wanted: [String], records: Bool) async throws -> Inventory {
        let zones = try await publicZones()
        var inventory = Inventory()
        for (name, zone) in zones {
            inventory.resources[.zone(name)] = LiveResource(address: .zone(name), spec: .zone(ZoneSpec()), id: zone.id)
        }
        guard records else { return inventory }
        let targets = wanted.compactMap { zones[$0] }
        let route53 = self.route53
        let listings = try await concurrentMap(targets) { zone in
            (zone, try await route53.listRecordSets(zoneID: zone.id))
        }
        for (zone, sets) in listings {
            inventory.merge(Self.inventory(zone: zone.name, sets))
        }
        return inventory
    }

    /// Zones by name; a private zone of the same name as a public one is not Plumb's.
    func publicZones() async throws -> [String: Route53Zone] {
        var zones: [String: Route53Zone] = [:]
        for zone in try await route53.listZones().sorted(by: { !$0.isPrivate && $1.isPrivate }) where zones[zone.name] == nil {
            zones[zone.name] = zone
        }
        return zones
    }

    static func inventory(zone: String, _ sets: [Route53RecordSet]) -> Inventory {
        var inventory = Inventory()
        for set in sets {
            guard let name = DNSName.relative(set.name, zone: zone) else { continue }
            if set.type == "SOA" || (set.type == "NS" && name == "@") { continue }
            let ttl = set.ttl ?? 300
            guard let type = RecordType(rawValue: set.type), !set.isSpecial else {
                let values = set.isSpecial && set.values.isEmpty ? ["(alias or routing policy)"] : set.values.sorted()
                inventory.unmodeled.append(UnmodeledRecord(zone: zone, name: name, type: set.type, ttl: ttl, values: values))
                continue
            }
            let address = Address.record(zone: zone, name: name, type: type)
            inventory.resources[address] = LiveResource(
                address: address, spec: .record(RecordSpec(ttl: ttl, values: set.values.map { RecordContent.value($0, type: type) })))
        }
        return inventory
    }

    /// Zones first, then records zone by zone, then zone deletions.
    func apply(_ changes: [Change]) async -> [Address: ChangeOutcome.Status] {
        var outcomes: [Address: ChangeOutcome.Status] = [:]
        var zones: [String: Route53Zone]
        do {
            zones = try await publicZones()
        } catch {
            let failure = AWSProvider.providerError(error, provider: provider, address: nil)
            for change in changes { outcomes[change.address] = .failed(failure) }
            return outcomes
        }
        for change in changes where change.address.kind == .zone && change.action != .delete {
            let name = change.address.name
            do {
                if let existing = zones[name] {
                    outcomes[change.address] = .applied(id: existing.id)
                    continue
                }
                let id = try await route53.createZone(name, callerReference: "plumb-\(UUID().uuidString)")
                zones[name] = Route53Zone(id: id, name: name, isPrivate: false)
                outcomes[change.address] = .applied(id: id)
            } catch {
                outcomes[change.address] = .failed(AWSProvider.providerError(error, provider: provider, address: change.address))
                return outcomes
            }
        }
        let records = Dictionary(grouping: changes.filter { $0.address.kind == .record }) { $0.address.zoneName ?? "" }
        for zoneName in records.keys.sorted() {
            let batch = records[zoneName] ?? []
            do {
                guard let zone = zones[zoneName] else {
                    throw ProviderError(.notFound, provider: provider, "hosted zone \(zoneName) does not exist")
                }
                try await write(batch, zone: zone)
                for change in batch { outcomes[change.address] = .applied(id: nil) }
            } catch {
                let failure = AWSProvider.providerError(error, provider: provider, address: nil)
                for change in batch { outcomes[change.address] = .failed(failure) }
                return outcomes
            }
        }
        for change in changes where change.address.kind == .zone && change.action == .delete {
            do {
                if let zone = zones[change.address.name] { try await deleteZone(zone) }
                outcomes[change.address] = .applied(id: nil)
            } catch {
                outcomes[change.address] = .failed(AWSProvider.providerError(error, provider: provider, address: change.address))
                return outcomes
            }
        }
        return outcomes
    }

    /// One zone's record changes. Deletions use the values Route 53 holds right now (it
    /// deletes only an exact match), so the zone is read first when the batch deletes.
    private func write(_ batch: [Change], zone: Route53Zone) async throws {
        var live: [String: Route53RecordSet] = [:]
        if batch.contains(where: { $0.action == .delete }) {
            for set in try await route53.listRecordSets(zoneID: zone.id) { live["\(set.name)|\(set.type)"] = set }
        }
        var changes: [Route53Change] = []
        for change in batch {
            guard let parts = change.address.recordParts else { continue }
            let name = DNSName.absolute(parts.name, zone: zone.name)
            if case .record(let spec)? = change.after {
                changes.append(
                    Route53Change(
                        action: .upsert, name: name, type: parts.type.rawValue, ttl: spec.ttl,
                        values: spec.values.map { RecordContent.content($0, type: parts.type) }))
            } else if let existing = live["\(name)|\(parts.type.rawValue)"], !existing.isSpecial {
                changes.append(
                    Route53Change(
                        action: .delete, name: name, type: existing.type, ttl: existing.ttl ?? 300, values: existing.values))
            }
        }
        for part in Route53API.batches(changes) {
            if let id = try await route53.change(zoneID: zone.id, part) {
                try await waitForSync(id)
            }
        }
    }

    /// Waits until Route 53 reports the change on all its servers, so checks after the
    /// chunk test what clients will see.
    private func waitForSync(_ id: String) async throws {
        let deadline = ContinuousClock.now + syncTimeout
        var delay = Duration.milliseconds(500)
        while try await route53.changeStatus(id) != "INSYNC" {
            guard ContinuousClock.now + delay < deadline else {
                throw ProviderError(.unavailable, provider: provider, "change \(id) not in sync after \(syncTimeout)")
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    /// Deleting a zone deletes what is in it first (Route 53 refuses a zone with records):
    /// everything but SOA and apex NS.
    private func deleteZone(_ zone: Route53Zone) async throws {
        let leftovers = try await route53.listRecordSets(zoneID: zone.id).filter { set in
            !(set.type == "SOA" || (set.type == "NS" && set.name == zone.name)) && !set.isSpecial
        }
        let deletes = leftovers.map { Route53Change(action: .delete, name: $0.name, type: $0.type, ttl: $0.ttl ?? 300, values: $0.values) }
        for part in Route53API.batches(deletes) {
            _ = try await route53.change(zoneID: zone.id, part)
        }
        try await route53.deleteZone(id: zone.id)
    }
}
