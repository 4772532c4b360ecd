import PlumbChecks
import PlumbCore

/// Between DNS records on the wire and Plumb's records.
enum RFC2136Mapping {
    /// A zone's transferred records as an inventory: modelled types as resources, the rest
    /// as unmodelled; SOA and apex NS left out, as every provider does.
    static func inventory(_ records: [DNSRecord], zone: String, only: Set<Address>? = nil) -> Inventory {
        var sets: [String: (ttl: Int, values: [String], name: String, type: String)] = [:]
        var order: [String] = []
        for record in records {
            guard let name = DNSName.relative(record.name, zone: zone) else { continue }
            if record.type == "SOA" || (record.type == "NS" && name == "@") { continue }
            let key = "\(name)/\(record.type)"
            if sets[key] == nil {
                sets[key] = (Int(record.ttl), [], name, record.type)
                order.append(key)
            }
            sets[key]?.values.append(record.value)
        }
        var inventory = Inventory()
        for key in order {
            guard let set = sets[key] else { continue }
            guard let type = RecordType(rawValue: set.type) else {
                if only == nil {
                    inventory.unmodeled.append(UnmodeledRecord(zone: zone, name: set.name, type: set.type, ttl: set.ttl, values: set.values.sorted()))
                }
                continue
            }
            let address = Address.record(zone: zone, name: set.name, type: type)
            if let only, !only.contains(address) { continue }
            inventory.resources[address] = LiveResource(
                address: address, spec: .record(RecordSpec(ttl: set.ttl, values: set.values.map { value(type, $0) })))
        }
        return inventory
    }

    /// A value off the wire in canonical form. TXT and SPF come off the wire as the text
    /// itself, already Plumb's form.
    static func value(_ type: RecordType, _ text: String) -> String {
        if type.isText { return text }
        switch RecordValues.canonical(text, type: type) {
        case .success(let canonical): return canonical
        case .failure: return text
        }
    }

    static func wireType(_ type: RecordType) -> DNSRecordType? {
        DNSRecordType(name: type.rawValue)
    }
}
