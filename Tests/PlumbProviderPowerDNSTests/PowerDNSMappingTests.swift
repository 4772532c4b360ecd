import Foundation
import PlumbCore
import Testing

@testable import PlumbProviderPowerDNS

/// A zone mapped from its export in chunks on several cores is the zone mapped in one pass:
/// the same resources, unmodelled records and rrset count.
@Suite("PowerDNS zone mapping")
struct PowerDNSMappingTests {
    static func zoneExport(_ count: Int) -> String {
        var lines = [
            "a.example.\t3600\tIN\tSOA\tns1. h. 1 2 3 4 5",
            "a.example.\t3600\tIN\tNS\tns1.example.",
        ]
        let types = ["A", "TXT", "CNAME", "HINFO", "MX"]  // HINFO: a type Plumb does not model
        for index in 0..<count {
            let type = types[index % types.count]
            let content =
                switch type {
                case "A": "192.0.2.\(index % 250)"
                case "TXT": "\"v=spf1 \(index)\""
                case "CNAME": "H\(index).A.Example."
                case "MX": "10 mx\(index).example."
                default: "\"PC\" \"Linux\""
                }
            lines.append("h\(index).a.example.\t\(60 + index % 7)\tIN\t\(type)\t\(content)")
        }
        // The same owner again in other letters: one address, the later rrset wins.
        lines.append("H1.A.EXAMPLE.\t5\tIN\tTXT\t\"later\"")
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("chunked and parallel equals one pass", arguments: [10, 10_000])
    func chunkedEqualsOnePass(count: Int) async throws {
        let export = Data(Self.zoneExport(count).utf8)
        let onePass = PowerDNSMapping.inventory(of: try ZoneExport.decode(export, zone: "a.example."))
        let (chunked, size) = try await PowerDNSMapping.inventory(export: export, zone: "a.example.")
        #expect(size == count + 3)
        #expect(chunked.resources == onePass.resources)
        #expect(chunked.unmodeled == onePass.unmodeled)
        #expect(!chunked.unmodeled.isEmpty)
        let later = chunked.resources[.record(zone: "a.example.", name: "h1", type: .TXT)]
        #expect(later?.spec == .record(RecordSpec(ttl: 5, values: ["later"])))
    }

    @Test("an export that is not one record per line is refused")
    func malformed() async {
        await #expect(throws: ZoneExport.Malformed.self) {
            _ = try await PowerDNSMapping.inventory(export: Data("<html>404</html>\n".utf8), zone: "a.example.")
        }
    }
}
