extension DocumentLoader {
    static let recordKeys = ["type", "ttl", "value", "values", "protect", "waive"]

    mutating func loadZone(_ entries: [YAMLEntry], root: YAMLNode, provider: String) {
        guard let zoneNode = required(entries, "zone", in: root, what: "this DNS document"),
            let rawZone = reader.string(zoneNode, "zone")
        else { return }
        let zone = rawZone.lowercased()
        guard zone.hasSuffix("."), DNSLabel.isValidName(String(zone.dropLast())) else {
            let hint = zone.hasSuffix(".") ? "use a valid domain name" : "write it fully qualified: '\(rawZone).'"
            reader.error(.invalidValue, zoneNode, "zone '\(rawZone)' is not a fully qualified domain name", hint: hint)
            return
        }
        var ttl = 3600
        var protect = false
        for entry in entries {
            if entry.key == "ttl" { ttl = reader.int(entry.value, "zone ttl", range: 1...2_147_483_647) ?? ttl }
            if entry.key == "protect" { protect = reader.bool(entry.value, "protect") ?? false }
        }
        // A zone's waivers hold for its records too (a record may add its own).
        let zoneWaivers = waivers(entries, what: "zone \(zone)")
        declarations.resources.append(
            DesiredResource(
                address: .zone(zone), provider: provider, spec: .zone(ZoneSpec()), protect: protect,
                location: reader.location(zoneNode), waivers: zoneWaivers))
        guard let records = entries.first(where: { $0.key == "records" }) else { return }
        // Room for one record set per name, the common case: grown by doubling, the array
        // of a 100,000-record zone was briefly held twice, and a quarter of it stayed empty.
        let reserve = { (names: Int) in self.declarations.resources.reserveCapacity(self.declarations.resources.count + names) }
        reader.forEachEntry(records.value, "records", reserve: reserve) { name in
            loadRecordName(name, zone: zone, defaultTTL: ttl, provider: provider, waivers: zoneWaivers)
        }
    }

    private mutating func loadRecordName(_ entry: YAMLEntry, zone: String, defaultTTL: Int, provider: String, waivers zoneWaivers: [String: String]) {
        let name = entry.key.lowercased()
        guard DNSLabel.isValidRelativeName(name) else {
            let hint =
                entry.key.hasSuffix(".")
                ? "record names are relative to the zone: write '\(DNSName.relative(entry.key, zone: zone) ?? "www")'"
                : "use '@' for the apex, labels of letters, digits, '-' and '_', or a wildcard '*' / '*.NAME'"
            reader.error(.invalidValue, entry.keyNode, "'\(entry.key.prefix(80))' is not a valid record name", hint: hint)
            return
        }
        // RFC 1035 §2.3.4: 255 octets on the wire, 253 in presentation form without the root dot.
        let absoluteLength = DNSName.absolute(name, zone: zone).utf8.count - 1
        guard absoluteLength <= 253 else {
            reader.error(
                .invalidValue, entry.keyNode, "'\(entry.key.prefix(80))…' makes a name of \(absoluteLength) octets in \(zone) (at most 253)",
                hint: "shorten the name")
            return
        }
        let items: [YAMLNode]
        switch entry.value {
        case .sequence(let sequence, _): items = sequence
        case .mapping: items = [entry.value]
        default:
            reader.error(
                .wrongType, entry.value, "records of '\(entry.key)' must be a mapping or a list of mappings",
                hint: "write {type: A, value: 192.0.2.1}")
            return
        }
        for item in items {
            loadRecord(item, name: name, zone: zone, defaultTTL: defaultTTL, provider: provider, waivers: zoneWaivers)
        }
    }

    private mutating func loadRecord(
        _ node: YAMLNode, name: String, zone: String, defaultTTL: Int, provider: String, waivers zoneWaivers: [String: String]
    ) {
        guard let fields = reader.mapping(node, "record '\(name)'", allowed: Self.recordKeys) else { return }
        guard let typeNode = required(fields, "type", in: node, what: "record '\(name)'"),
            let typeText = reader.string(typeNode, "type")
        else { return }
        guard let type = RecordType(rawValue: typeText.uppercased()) else {
            let hint = "supported types: \(RecordType.allCases.map(\.rawValue).joined(separator: ", "))"
            reader.error(.invalidValue, typeNode, "record type '\(typeText)' is not supported", hint: hint)
            return
        }
        var ttl = defaultTTL
        var protect = false
        var values: [(String, YAMLNode)] = []
        let valueEntries = fields.filter { $0.key == "value" || $0.key == "values" }
        if valueEntries.isEmpty {
            reader.error(
                .missingKey, node, "record '\(name)' \(type.rawValue) has no value", hint: "add 'value:' for one value or 'values:' for several")
            return
        }
        if valueEntries.count > 1 {
            reader.error(
                .invalidValue, valueEntries[1].keyNode, "record '\(name)' \(type.rawValue) has both 'value:' and 'values:'", hint: "keep one")
            return
        }
        for field in fields {
            switch field.key {
            case "ttl": ttl = reader.int(field.value, "ttl", range: 1...2_147_483_647) ?? ttl
            case "protect": protect = reader.bool(field.value, "protect") ?? false
            case "value": if let value = reader.scalar(field.value, "value") { values = [(value, field.value)] }
            case "values": values = reader.strings(field.value, "values") ?? []
            default: break
            }
        }
        var canonical: [String] = []
        for (value, valueNode) in values {
            switch RecordValues.canonical(value, type: type) {
            case .success(let text): canonical.append(text.unshared())
            case .failure(.invalid(let message, let hint)):
                reader.error(.invalidValue, valueNode, "\(name) \(type.rawValue): \(message)", hint: hint)
            }
        }
        guard canonical.count == values.count, !canonical.isEmpty else {
            if values.isEmpty { reader.error(.missingKey, node, "record '\(name)' \(type.rawValue) has no values", hint: "give at least one value") }
            return
        }
        if type == .CNAME, canonical.count > 1 {
            reader.error(.cnameConflict, node, "\(name): a CNAME has exactly one target, not \(canonical.count)", hint: "keep one value")
            return
        }
        declarations.resources.append(
            DesiredResource(
                address: .record(zone: zone, name: name, type: type), provider: provider,
                spec: .record(RecordSpec(ttl: ttl, values: canonical)), protect: protect,
                location: reader.location(node), waivers: zoneWaivers.merging(waivers(fields, what: "record '\(name)'")) { $1 }))
    }
}

extension String {
    /// The same text in storage of its own. A value kept from a YAML node would otherwise
    /// keep the node's allocation alive, and with it the heap page of the node tree it sits
    /// on: after a 100,000-record load that pinned 40 MB of freed nodes.
    func unshared() -> String {
        guard utf8.count > 15 else { return self }  // small strings live inline, in no allocation
        var source = self
        return source.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { buffer in buffer.initialize(fromContentsOf: bytes) }
        }
    }
}
