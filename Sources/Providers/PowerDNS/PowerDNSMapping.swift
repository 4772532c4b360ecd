import Foundation
import PlumbCore
import PlumbProviderKit
import Synchronization

/// Between PowerDNS rrsets and Plumb's records.
enum PowerDNSMapping {
    /// The records of one zone: modelled types as live resources, others as unmodelled;
    /// SOA and apex NS left out. With `only`, just those addresses (a read-back of a chunk
    /// skips parsing the values of every other rrset of the zone).
    static func inventory(of zone: PowerDNSAPI.Zone, only: Set<Address>? = nil) -> Inventory {
        var parts = [map(zone.rrsets[...], zone: zone.name.lowercasedIfNeeded(), only: only)]
        return inventory(of: &parts)
    }

    /// A zone's inventory from its export (`ZoneExport`), mapped a chunk of rrsets at a time
    /// on the other cores while the next chunk is handed over, so a 100,000-rrset zone is
    /// not mapped on one core (0.3 s). At most two chunks wait for a core; past that the
    /// caller maps the chunk itself. Each chunk is taken out of the rrsets as it goes, so
    /// what is held shrinks as the inventory grows. Returns the inventory and the zone's
    /// rrset count.
    static func inventory(export: consuming Data, zone zoneName: String) async throws -> (Inventory, Int) {
        var rrsets = try ZoneExport.decode(export, zone: zoneName).rrsets
        _ = consume export  // 8.8 MB for 100,000 rrsets, no longer needed
        let count = rrsets.count
        let chunkSize = 2048
        return await withTaskGroup(of: (Int, Mapped).self) { group in
            let waiting = Waiting()
            var parts: [(Int, Mapped)] = []
            var part = (count + chunkSize - 1) / chunkSize
            // From the end, so each handed-over chunk leaves the array.
            while !rrsets.isEmpty {
                part -= 1
                let chunk = Array(rrsets[(part * chunkSize)...])
                rrsets.removeSubrange((part * chunkSize)...)
                let busy = waiting.chunks.withLock { waiting in
                    guard waiting < 2 else { return true }
                    waiting += 1
                    return false
                }
                if busy {
                    parts.append((part, map(chunk[...], zone: zoneName, only: nil)))
                } else {
                    group.addTask { [part] in
                        defer { waiting.chunks.withLock { $0 -= 1 } }
                        return (part, map(chunk[...], zone: zoneName, only: nil))
                    }
                }
            }
            for await mapped in group { parts.append(mapped) }
            var ordered = parts.sorted { $0.0 < $1.0 }.map(\.1)
            parts = []
            return (inventory(of: &ordered), count)
        }
    }

    /// The inventory of parts mapped from a zone's rrsets in order: a later rrset of the same
    /// address wins, as in one pass. Each part is taken out of `parts` and freed once inserted.
    private static func inventory(of parts: inout [Mapped]) -> Inventory {
        var inventory = Inventory(unmodeled: parts.flatMap(\.unmodeled))
        inventory.resources.reserveCapacity(parts.reduce(0) { $0 + $1.resources.count })
        parts.reverse()
        while let part = parts.popLast() {
            for resource in part.resources { inventory.resources[resource.address] = resource }
        }
        return inventory
    }

    /// Chunks handed to other cores and not yet mapped.
    private final class Waiting: Sendable {
        let chunks = Mutex(0)
    }

    struct Mapped: Sendable {
        var resources: [LiveResource] = []
        var unmodeled: [UnmodeledRecord] = []
    }

    private static func map(_ rrsets: ArraySlice<PowerDNSAPI.RRSet>, zone zoneName: String, only: Set<Address>?) -> Mapped {
        var mapped = Mapped()
        mapped.resources.reserveCapacity(only?.count ?? rrsets.count)
        for rrset in rrsets {
            let owner = rrset.name.lowercasedIfNeeded()
            guard let name = DNSName.relative(owner, zone: zoneName) else { continue }
            if rrset.type == "SOA" || (rrset.type == "NS" && name == "@") { continue }
            let contents = (rrset.records ?? []).filter { !$0.disabled }.map(\.content)
            guard !contents.isEmpty else { continue }
            let ttl = rrset.ttl ?? 3600
            guard let type = RecordType(rawValue: rrset.type) else {
                if only != nil { continue }
                mapped.unmodeled.append(UnmodeledRecord(zone: zoneName, name: name, type: rrset.type, ttl: ttl, values: contents.sorted()))
                continue
            }
            let address = Address.record(zone: zoneName, name: name, type: type)
            if let only, !only.contains(address) { continue }
            let values = contents.map { RecordContent.value($0, type: type) }
            mapped.resources.append(LiveResource(address: address, spec: .record(RecordSpec(ttl: ttl, values: values))))
        }
        return mapped
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
