/// A zone with every record type SPEC §8.5 added, written the way people write them (upper-
/// case hex, LOC's short form, SVCB keys out of order and by number, quoted values).
public enum NewRecordTypes {
    /// Types Route 53 cannot hold; `document(without:)` leaves them out.
    public static let notOnRoute53: Set<String> = ["LOC", "DNAME", "URI"]

    public struct Case: Sendable {
        public var name: String
        public var type: String
        public var values: [String]
    }

    public static let cases: [Case] = [
        // DS belongs at a delegation (PowerDNS refuses it at the apex).
        Case(name: "child", type: "NS", values: ["ns1.example.net."]),
        Case(name: "child", type: "DS", values: ["12345 13 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A"]),
        Case(name: "_443._tcp.www", type: "TLSA", values: ["3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6"]),
        Case(
            name: "host", type: "SSHFP",
            values: ["4 2 123456789abcdef67890123456789abcdef67890123456789abcdef123456789", "1 1 aa549bfe898489c02d1715d97d79c57ba2fa76ab"]),
        Case(
            name: "sip", type: "NAPTR",
            values: ["100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .", "102 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.types.example."]),
        Case(name: "office", type: "LOC", values: ["52 22 23 N 4 53 32 E -2m 0m 10000m 10m"]),
        Case(name: "@", type: "HTTPS", values: ["1 . port=8443 alpn=h3,h2 ipv4hint=192.0.2.1"]),
        Case(name: "_dns", type: "SVCB", values: ["1 dns.types.example. key7=\"/dns-query{?dns}\" key1=h2"]),
        Case(name: "old", type: "DNAME", values: ["New.Example."]),
        Case(name: "_ftp._tcp", type: "URI", values: ["10 1 \"ftp://ftp1.example.com/public\""]),
        Case(name: "@", type: "SPF", values: ["v=spf1 mx -all"]),
    ]

    /// The zone document for binding `provider`, leaving out the types in `without`.
    public static func document(zone: String = "types.example.", provider: String = "main", without: Set<String> = []) -> String {
        var byName: [String: [Case]] = [:]
        for item in cases where !without.contains(item.type) { byName[item.name, default: []].append(item) }
        var text = "provider: \(provider)\nzone: \(zone)\nttl: 600\nrecords:\n"
        for name in byName.keys.sorted() {
            text += "  \"\(name)\":\n"
            for item in byName[name] ?? [] {
                let values = item.values.map { "'\($0.replacingOccurrences(of: "'", with: "''"))'" }.joined(separator: ", ")
                text += "    - {type: \(item.type), values: [\(values)]}\n"
            }
        }
        return text
    }
}
