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

    @Test("an export whose rrsets are not on consecutive lines is read whole instead, to the same inventory")
    func ungroupedFallsBack() async throws {
        let text = "a.a.example.\t60\tIN\tA\t192.0.2.1\nb.a.example.\t60\tIN\tA\t192.0.2.2\na.a.example.\t30\tIN\tA\t192.0.2.3\n"
        let export = Data(text.utf8)
        #expect(throws: ZoneExport.NotGrouped.self) { _ = try ZoneExport.decode(export, chunkSize: 8) { _ in } }
        let (inventory, size) = try await PowerDNSMapping.inventory(export: export, zone: "a.example.")
        #expect(size == 2)
        #expect(inventory == PowerDNSMapping.inventory(of: try ZoneExport.decode(export, zone: "a.example.")))
        #expect(
            inventory.resources[.record(zone: "a.example.", name: "a", type: .A)]?.spec
                == .record(RecordSpec(ttl: 30, values: ["192.0.2.1", "192.0.2.3"])))
    }

    @Test("an export that is not one record per line is refused")
    func malformed() async {
        await #expect(throws: ZoneExport.Malformed.self) {
            _ = try await PowerDNSMapping.inventory(export: Data("<html>404</html>\n".utf8), zone: "a.example.")
        }
    }
}
