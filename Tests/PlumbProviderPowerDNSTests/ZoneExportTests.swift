import Foundation
import Testing

@testable import PlumbProviderPowerDNS

/// The export reader: PowerDNS's one-record-per-line text into the rrsets the JSON would
/// give, and an error, naming the line, for anything else.
@Suite("PowerDNS zone export")
struct ZoneExportTests {
    typealias RRSet = PowerDNSAPI.RRSet

    func rrset(_ name: String, _ type: String, _ ttl: Int, _ contents: [String]) -> RRSet {
        RRSet(name: name, type: type, ttl: ttl, changetype: nil, records: contents.map { PowerDNSAPI.Record(content: $0, disabled: false) })
    }

    @Test("records become rrsets by name and type, wherever their lines are; content keeps its tabs and quotes")
    func reads() throws {
        let text = [
            "a.example.\t3600\tIN\tSOA\tns1.example. hostmaster.a.example. 1 10800 3600 604800 3600",
            "mx.a.example.\t300\tIN\tMX\t10 mx1.a.example.",
            "t.a.example.\t60\tIN\tTXT\t\"with\ttab\" \"and \\\"quotes\\\"\"",
            "mx.a.example.\t300\tIN\tMX\t20 mx2.a.example.\r",
            "",
            "x.a.example.\t0\tIN\tTYPE65534\t\\# 4 0A000001",
        ].joined(separator: "\n")
        let zone = try ZoneExport.decode(Data(text.utf8), zone: "a.example.")
        #expect(zone.name == "a.example.")
        #expect(
            zone.rrsets == [
                rrset("a.example.", "SOA", 3600, ["ns1.example. hostmaster.a.example. 1 10800 3600 604800 3600"]),
                rrset("mx.a.example.", "MX", 300, ["10 mx1.a.example.", "20 mx2.a.example."]),
                rrset("t.a.example.", "TXT", 60, ["\"with\ttab\" \"and \\\"quotes\\\"\""]),
                rrset("x.a.example.", "TYPE65534", 0, ["\\# 4 0A000001"]),
            ])
    }

    @Test("an empty export is a zone without records")
    func empty() throws {
        #expect(try ZoneExport.decode(Data(), zone: "a.example.").rrsets.isEmpty)
    }

    @Test(
        "refuses, naming the line, what is not one record in five fields",
        arguments: [
            ("a.example.\t3600\tIN\tA", 1),
            ("a.example.\t3600\tIN\tA\t192.0.2.1\na.example. 3600 IN A 192.0.2.2", 2),
            ("a.example.\tlong\tIN\tA\t192.0.2.1", 1),
            ("a.example.\t-1\tIN\tA\t192.0.2.1", 1),
            ("a.example.\t3600\tCH\tA\t192.0.2.1", 1),
            ("\t3600\tIN\tA\t192.0.2.1", 1),
            ("<html><body>not found</body></html>", 1),
            ("a.example.\t60\tIN\tA\t192.0.2.1\n\na.example.\t61\tIN\tA\t192.0.2.2", 3),
        ])
    func refuses(_ text: String, line: Int) {
        #expect {
            try ZoneExport.decode(Data(text.utf8), zone: "a.example.")
        } throws: { error in
            (error as? ZoneExport.Malformed)?.line == line
        }
    }
}
