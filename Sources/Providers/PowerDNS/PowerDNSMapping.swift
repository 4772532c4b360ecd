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

    /// A zone's inventory from its export (`ZoneExport`), read as a stream: each chunk of
    /// rrsets is mapped on another core while the next is read, so a 100,000-rrset zone is
    /// neither held whole (its rrsets took 50 MB) nor mapped on one core (0.3 s). An export
    /// whose rrsets are not on consecutive lines (not as PowerDNS writes them) is read whole,
    /// then mapped the same way. Returns the inventory and the zone's rrset count.
    static func inventory(export: consuming Data, zone zoneName: String) async throws -> (Inventory, Int) {
        let chunkSize = 2048
        var data = Optional(export)
        do {
            return try await mapped(zone: zoneName) { handOver in
                let count = try ZoneExport.decode(data ?? Data(), chunkSize: chunkSize, rrsets: handOver)
                data = nil  // 8.8 MB for 100,000 rrsets, no longer needed
                return count
            }
        } catch is ZoneExport.NotGrouped {
            let rrsets = try ZoneExport.decode(data ?? Data(), zone: zoneName).rrsets
            data = nil
            return try await mapped(zone: zoneName) { handOver in
                for start in stride(from: 0, to: rrsets.count, by: chunkSize) {
                    handOver(Array(rrsets[start..<min(start + chunkSize, rrsets.count)]))
                }
                return rrsets.count
            }
        }
    }

    /// Maps the chunks `read` hands over, in order, at most two waiting for a core at a time;
    /// past that the reader maps the chunk itself, which bounds what is held. `read` returns
    /// the rrset count.
    private static func mapped(
        zone zoneName: String, read: (_ handOver: ([PowerDNSAPI.RRSet]) -> Void) throws -> Int
    ) async throws -> (Inventory, Int) {
        try await withThrowingTaskGroup(of: (Int, Mapped).self) { group in
            let waiting = Waiting()
            var parts: [(Int, Mapped)] = []
            var chunks = 0
            let count = try read { chunk in
                let part = chunks
                chunks += 1
                let busy = waiting.chunks.withLock { waiting in
                    guard waiting < 2 else { return true }
                    waiting += 1
                    return false
                }
                if busy {
                    parts.append((part, map(chunk[...], zone: zoneName, only: nil)))
                } else {
                    group.addTask {
                        defer { waiting.chunks.withLock { $0 -= 1 } }
                        return (part, map(chunk[...], zone: zoneName, only: nil))
                    }
                }
            }
            for try await part in group { parts.append(part) }
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
