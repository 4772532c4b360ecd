import Foundation
import Testing

@testable import PlumbProviderPowerDNS

/// The zone reader against Foundation's JSONDecoder: the same zones out of the same bytes,
/// and an error wherever JSON itself is broken.
@Suite("PowerDNS zone JSON")
struct ZoneJSONTests {
    typealias Zone = PowerDNSAPI.Zone

    func fast(_ text: String) throws -> Zone {
        try ZoneJSON.decode(Data(text.utf8))
    }

    @Test(
        "reads what JSONDecoder reads",
        arguments: [
            #"{"name":"a.example.","rrsets":[]}"#,
            #" { "account": "", "rrsets" : [ { "comments": [{"content":"x","modified_at":1700000000}], "name": "www.a.example.", "records": [ {"content": "192.0.2.1", "disabled": false}, {"content":"192.0.2.2","disabled":true} ], "ttl": 300, "type": "A" } ], "name": "a.example.", "serial": 2024010101, "nameservers": [], "dnssec": false, "edited_serial": 1e3, "x": {"y": [null, -0.5E-2, true]} } "#,
            #"{"name":"a.example.","rrsets":[{"name":"t.a.example.","type":"TXT","ttl":null,"records":[{"content":"\"v=spf1 -all\" \"\\u00e9\\n\\t\\/\\\\\" \"\ud83d\ude00\"","disabled":false}]}]}"#,
            #"{"rrsets":[{"type":"CAA","name":"a.example.","records":null}],"name":"a.example."}"#,
            #"{"name":"caf\u00e9.example.","rrsets":[{"name":"ü.café.example.","type":"A","ttl":60,"records":[]}]}"#,
            #"{"na\u006De":"a.example.","rrsets":[{"name":"x\u00C9\u0000.a.","type":"A","ttl":3E2,"records":[]},{"name":"y.a.","type":"A","ttl":300.0}]}"#,
        ])
    func sameAsFoundation(_ text: String) throws {
        #expect(try fast(text) == JSONDecoder().decode(Zone.self, from: Data(text.utf8)))
    }

    @Test(
        "refuses what is not JSON, or not a zone",
        arguments: [
            "", "{", #"{"name":"a.","rrsets":[}"#, #"{"name":"a.","rrsets":[],}"#, #"{"name":"a.","rrsets":[]} x"#,
            #"{"name":"a.\u12","rrsets":[]}"#, #"{"name":"a.\ud800","rrsets":[]}"#, #"{"name":"a.\q","rrsets":[]}"#,
            "{\"name\":\"a.\u{01}\",\"rrsets\":[]}", #"{"name":"a.","rrsets":[],"n":01}"#, #"{"name":"a.","rrsets":[],"n":1.}"#,
            #"{"name":"a.","rrsets":[],"b":tru}"#, #"{"rrsets":[]}"#, #"{"name":"a.","rrsets":[{"name":"x.a."}]}"#,
            #"{"name":"a.","rrsets":[{"name":"x.a.","type":"A","ttl":1.5}]}"#,
            #"{"name":"a.","rrsets":[{"name":"x.a.","type":"A","ttl":1E400}]}"#,
            #"{"name":"a.","rrsets":[{"name":"x.a.","type":"A","records":[{"content":"1.2.3.4"}]}]}"#,
            String(repeating: "[", count: 100_000),
            #"{"name":"a.","rrsets":[],"deep":"# + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "}",
        ])
    func refuses(_ text: String) {
        #expect(throws: ZoneJSON.Malformed.self) { try ZoneJSON.decode(Data(text.utf8)) }
    }

    @Test("a 10,000-rrset zone reads back exactly as encoded")
    func large() throws {
        var rrsets: [String] = []
        for index in 0..<10_000 {
            rrsets.append(
                #"{"comments":[],"name":"h\#(index).big.example.","records":[{"content":"\"v=spf1 include:_spf\#(index).example.net ~all\"","disabled":false}],"ttl":\#(index),"type":"TXT"}"#
            )
        }
        let text = #"{"name":"big.example.","rrsets":["# + rrsets.joined(separator: ",") + "]}"
        let zone = try fast(text)
        #expect(zone == (try JSONDecoder().decode(Zone.self, from: Data(text.utf8))))
        #expect(zone.rrsets.count == 10_000 && zone.rrsets[9_999].ttl == 9_999)
    }
}
