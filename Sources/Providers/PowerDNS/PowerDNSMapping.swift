import PlumbCore
import PlumbProviderKit

/// Between PowerDNS rrsets and Plumb's records.
enum PowerDNSMapping {
    /// The records of one zone: modelled types as live resources, others as unmodelled;
    /// SOA and apex NS left out. With `only`, just those addresses (a read-back of a chunk
    /// skips parsing the values of every other rrset of the zone).
    static func inventory(of zone: PowerDNSAPI.Zone, only: Set<Address>? = nil) -> Inventory {
        let zoneName = zone.name.lowercasedIfNeeded()
        var inventory = Inventory()
        inventory.resources.reserveCapacity(only?.count ?? zone.rrsets.count)
        for rrset in zone.rrsets {
            let owner = rrset.name.lowercasedIfNeeded()
            guard let name = DNSName.relative(owner, zone: zoneName) else { continue }
            if rrset.type == "SOA" || (rrset.type == "NS" && name == "@") { continue }
            let contents = (rrset.records ?? []).filter { !$0.disabled }.map(\.content)
            guard !contents.isEmpty else { continue }
            let ttl = rrset.ttl ?? 3600
            guard let type = RecordType(rawValue: rrset.type) else {
                if only != nil { continue }
                inventory.unmodeled.append(UnmodeledRecord(zone: zoneName, name: name, type: rrset.type, ttl: ttl, values: contents.sorted()))
                continue
            }
            let address = Address.record(zone: zoneName, name: name, type: type)
            if let only, !only.contains(address) { continue }
            let values = contents.map { RecordContent.value($0, type: type) }
            inventory.resources[address] = LiveResource(address: address, spec: .record(RecordSpec(ttl: ttl, values: values)))
        }
        return inventory
    }

    /// The PATCH rrset of a change: REPLACE with every value, or DELETE.
    static func rrset(_ change: Change) -> PowerDNSAPI.RRSet {
        let parts = change.address.recordParts
        let zone = parts?.zone ?? ""
        let name = DNSName.absolute(parts?.name ?? "@", zone: zone)
        let type = parts?.type ?? .A
        guard case .record(let spec)? = change.after else {
            return PowerDNSAPI.RRSet(name: name, type: type.rawValue, ttl: nil, changetype: "DELETE", records: nil)
        }
        let records = spec.values.map { PowerDNSAPI.Record(content: RecordContent.content($0, type: type), disabled: false) }
        return PowerDNSAPI.RRSet(name: name, type: type.rawValue, ttl: spec.ttl, changetype: "REPLACE", records: records)
    }
}
