import Foundation
import PlumbCore
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

    @Test("read as a stream, the rrsets come in chunks of the size asked, each whole, in the order decode gives")
    func stream() throws {
        let text = [
            "a.example.\t3600\tIN\tSOA\tns1.example. hostmaster.a.example. 1 10800 3600 604800 3600",
            "mx.a.example.\t300\tIN\tMX\t10 mx1.a.example.",
            "mx.a.example.\t60\tIN\tMX\t20 mx2.a.example.",
            "mx.a.example.\t300\tIN\tTXT\t\"v=spf1 -all\"",
            "MX.a.example.\t300\tIN\tMX\t30 mx3.a.example.",
            "w.a.example.\t60\tIN\tA\t192.0.2.1",
            "w.a.example.\t60\tIN\tA\t192.0.2.2",
        ].joined(separator: "\n")
        let data = Data(text.utf8)
        var chunks: [[RRSet]] = []
        let count = try ZoneExport.decode(data, chunkSize: 2) { chunks.append($0) }
        #expect(count == 5)
        #expect(chunks.map(\.count) == [2, 2, 1])
        #expect(chunks.flatMap { $0 } == (try ZoneExport.decode(data, zone: "a.example.")).rrsets)
        #expect(chunks[0][1] == rrset("mx.a.example.", "MX", 60, ["10 mx1.a.example.", "20 mx2.a.example."]))
        // The same checks as the whole read.
        #expect(throws: ZoneExport.Malformed.self) {
            _ = try ZoneExport.decode(Data("w.a.example.\tsixty\tIN\tA\t192.0.2.1\n".utf8), chunkSize: 2) { _ in }
        }
    }

    @Test("with owners, only their rrsets are kept, in any case; every other line is still checked")
    func owners() throws {
        let text = "WWW.a.example.\t60\tIN\tA\t192.0.2.1\nother.a.example.\t60\tIN\tA\t192.0.2.2\nwww.a.example.\t60\tIN\tAAAA\t2001:db8::1\n"
        let zone = try ZoneExport.decode(Data(text.utf8), zone: "a.example.", owners: ["www.a.example."])
        #expect(zone.rrsets.map { "\($0.name) \($0.type)" } == ["WWW.a.example. A", "www.a.example. AAAA"])
        #expect(throws: ZoneExport.Malformed.self) {
            try ZoneExport.decode(Data((text + "other.a.example.\tlong\tIN\tA\t192.0.2.3\n").utf8), zone: "a.example.", owners: ["www.a.example."])
        }
    }

    @Test("records of one rrset with different TTLs read as the JSON reads them: the lowest")
    func mixedTTLs() throws {
        let text = "x.a.example.\t60\tIN\tA\t192.0.2.1\nx.a.example.\t30\tIN\tA\t192.0.2.2\nx.a.example.\t90\tIN\tA\t192.0.2.3\n"
        #expect(try ZoneExport.decode(Data(text.utf8), zone: "a.example.").rrsets.map(\.ttl) == [30])
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
            ("a.example.\t60\tIN\tA\t192.0.2.1\n\na.example.\tIN\tA\t192.0.2.2", 3),
        ])
    func refuses(_ text: String, line: Int) {
        #expect {
            try ZoneExport.decode(Data(text.utf8), zone: "a.example.")
        } throws: { error in
            (error as? ZoneExport.Malformed)?.line == line
        }
    }
}

/// The hand-written PATCH body says what `JSONEncoder` said: the same JSON value for every
/// shape of rrset, whatever its strings hold.
@Suite("PowerDNS PATCH body")
struct PatchBodyTests {
    @Test("decodes to the rrsets it was written from, quotes, back slashes, control characters and all")
    func sameAsEncoder() throws {
        struct Body: Codable, Equatable { var rrsets: [PowerDNSAPI.RRSet] }
        let awkward = "\"v=spf1\\\" \\\\ é 😀 \u{01}\u{1F}\t\r\n/</script>\u{7F}"
        let rrsets = [
            PowerDNSAPI.RRSet(
                name: "t.a.example.", type: "TXT", ttl: 60, changetype: "REPLACE",
                records: [PowerDNSAPI.Record(content: awkward, disabled: false), PowerDNSAPI.Record(content: "\"b\"", disabled: true)]),
            PowerDNSAPI.RRSet(name: "gone.a.example.", type: "A", ttl: nil, changetype: "DELETE", records: nil),
            PowerDNSAPI.RRSet(name: "e.a.example.", type: "CAA", ttl: 0, changetype: "REPLACE", records: []),
        ]
        let written = PowerDNSAPI.patchBody(rrsets)
        #expect(try JSONDecoder().decode(Body.self, from: written) == Body(rrsets: rrsets))
        let encoded = try JSONEncoder().encode(Body(rrsets: rrsets))
        #expect(
            try JSONSerialization.jsonObject(with: written) as? NSDictionary == JSONSerialization.jsonObject(with: encoded) as? NSDictionary)
    }
}

/// When a chunk is read back rrset by rrset and when from the zone's export.
@Suite("PowerDNS read-back cost model")
struct ReadBackCostTests {
    func provider(rateLimit: Double?) throws -> PowerDNSProvider {
        try PowerDNSProvider(
            binding: ProviderBinding(
                name: "main", type: .powerdns, settings: ["url": "http://127.0.0.1:9", "api_key": "k"], rateLimit: rateLimit))
    }

    @Test("up to eight rrsets always one by one; more only while cheaper than the export and within a quarter of the rate")
    func choice() throws {
        let fast = try provider(rateLimit: 1000)
        fast.zoneSizes.withLock { $0["big.example."] = 10_000 }
        #expect(fast.readsBackByRRSet(8, zone: "empty.example."))
        #expect(!fast.readsBackByRRSet(9, zone: "empty.example."))
        #expect(fast.readsBackByRRSet(25, zone: "big.example."))
        // 100 changes of a 10,000-rrset zone: one export (≈ 30 ms), not 100 GETs (≈ 140 ms).
        #expect(!fast.readsBackByRRSet(26, zone: "big.example."))
        #expect(!fast.readsBackByRRSet(100, zone: "big.example."))
        let polite = try provider(rateLimit: nil)  // the default, 50 requests a second
        polite.zoneSizes.withLock { $0["big.example."] = 100_000 }
        #expect(polite.readsBackByRRSet(12, zone: "big.example."))
        #expect(!polite.readsBackByRRSet(13, zone: "big.example."))
    }
}
