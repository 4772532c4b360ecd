import PlumbChecks
import PlumbCore

/// One zone's changes of a chunk as DNS UPDATE messages (RFC 2136 §3.2-3.4).
///
/// Each change carries the prerequisite that its rrset still holds what the plan saw:
/// for a create, that no such rrset exists; for a replace or delete, that the rrset holds
/// exactly the values the plan read (TTL aside, which prerequisites do not compare). So a
/// change made by someone else between plan and apply fails the whole UPDATE, and the
/// server changes nothing of it.
///
/// A chunk's changes go in one UPDATE, unless that would pass the 65,535 bytes a DNS message
/// can hold (DNSControl#2581): then in as few UPDATEs as fit, in the chunk's order.
enum RFC2136Update {
    /// Room for the header, the zone and the TSIG record below the message limit.
    static let byteLimit = 64_000

    struct Part {
        var update: DNSUpdate
        var changes: [Change]
    }

    static func build(zone: String, changes: [Change], byteLimit: Int = byteLimit) throws -> [Part] {
        var parts: [Part] = []
        var current = Part(update: DNSUpdate(zone: zone), changes: [])
        var size = 0
        for change in changes {
            guard let record = change.address.recordParts, let type = RFC2136Mapping.wireType(record.type) else { continue }
            let (prerequisites, updates) = try records(for: change, name: DNSName.absolute(record.name, zone: zone), type: type)
            let bytes = (prerequisites + updates).reduce(0) { $0 + $1.name.utf8.count + 2 + 10 + $1.rdata.count }
            if !current.changes.isEmpty, size + bytes > byteLimit {
                parts.append(current)
                current = Part(update: DNSUpdate(zone: zone), changes: [])
                size = 0
            }
            current.update.prerequisites += prerequisites
            current.update.updates += updates
            current.changes.append(change)
            size += bytes
        }
        if !current.changes.isEmpty { parts.append(current) }
        return parts
    }

    private static func records(for change: Change, name: String, type: DNSRecordType) throws -> ([DNSUpdate.Record], [DNSUpdate.Record]) {
        var prerequisites: [DNSUpdate.Record] = []
        var updates: [DNSUpdate.Record] = []
        if case .record(let before)? = change.before {
            for value in before.values {
                prerequisites.append(.exists(name, type, rdata: try DNSRData.encode(type, value)))
            }
            updates.append(.deleteRRSet(name, type))
        } else {
            prerequisites.append(.absent(name, type))
        }
        if case .record(let after)? = change.after {
            for value in after.values {
                updates.append(.add(name, type, ttl: UInt32(clamping: after.ttl), rdata: try DNSRData.encode(type, value)))
            }
        }
        return (prerequisites, updates)
    }
}
