import Foundation
import PlumbCore
import Testing

@testable import PlumbProviderPowerDNS

/// A zone mapped from its JSON as a stream, chunks on several cores, is the zone mapped in
/// one pass: the same resources, unmodelled records and rrset count.
@Suite("PowerDNS zone mapping")
struct PowerDNSMappingTests {
    static func zoneJSON(_ count: Int) -> String {
        var rrsets = [
            #"{"name":"a.example.","type":"SOA","ttl":3600,"records":[{"content":"ns1. h. 1 2 3 4 5","disabled":false}]}"#,
            #"{"name":"a.example.","type":"NS","ttl":3600,"records":[{"content":"ns1.example.","disabled":false}]}"#,
        ]
        let types = ["A", "TXT", "CNAME", "HINFO", "MX"]  // HINFO: a type Plumb does not model
        for index in 0..<count {
            let type = types[index % types.count]
            let content =
                switch type {
                case "A": "192.0.2.\(index % 250)"
                case "TXT": #"\"v=spf1 \#(index)\""#
                case "CNAME": "H\(index).A.Example."
                case "MX": "10 mx\(index).example."
                default: #"\"PC\" \"Linux\""#
                }
            rrsets.append(
                #"{"name":"h\#(index).a.example.","type":"\#(type)","ttl":\#(60 + index % 7),"records":[{"content":"\#(content)","disabled":\#(index % 11 == 0)}]}"#
            )
        }
        // The same owner again in other letters: one address, the later rrset wins.
        rrsets.append(#"{"name":"H1.A.EXAMPLE.","type":"TXT","ttl":5,"records":[{"content":"\"later\"","disabled":false}]}"#)
        return #"{"name":"a.example.","rrsets":["# + rrsets.joined(separator: ",") + "]}"
    }

    @Test("streamed and parallel equals one pass", arguments: [10, 10_000])
    func streamedEqualsOnePass(count: Int) async throws {
        let json = Data(Self.zoneJSON(count).utf8)
        let onePass = PowerDNSMapping.inventory(of: try ZoneJSON.decode(json))
        let (streamed, size) = try await PowerDNSMapping.inventory(json: json, zone: "a.example.")
        #expect(size == count + 3)
        #expect(streamed.resources == onePass.resources)
        #expect(streamed.unmodeled == onePass.unmodeled)
        #expect(!streamed.unmodeled.isEmpty)
        let later = streamed.resources[.record(zone: "a.example.", name: "h1", type: .TXT)]
        #expect(later?.spec == .record(RecordSpec(ttl: 5, values: ["later"])))
    }

    @Test("a zone that answers under another name is refused")
    func otherZone() async {
        await #expect(throws: ZoneJSON.Malformed.self) {
            _ = try await PowerDNSMapping.inventory(json: Data(Self.zoneJSON(3).utf8), zone: "b.example.")
        }
    }
}
