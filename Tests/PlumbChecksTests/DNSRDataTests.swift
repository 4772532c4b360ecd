import PlumbChecks
import PlumbCore
import Testing

/// RDATA of every modelled type: Plumb's canonical value → wire → presentation → the same
/// canonical value, as the rfc2136 provider writes with UPDATE and reads with AXFR.
@Suite("DNS RDATA both ways")
struct DNSRDataTests {
    static let values: [(RecordType, String)] = [
        (.A, "192.0.2.10"), (.AAAA, "2001:db8::10"), (.CNAME, "www.example.com."), (.CNAME, "."),
        (.MX, "0 ."), (.MX, "10 mail.example.com."), (.SRV, "0 0 0 ."), (.SRV, "10 60 5060 sip.example.com."),
        (.NS, "ns1.example.net."), (.PTR, "host.example.com."), (.DNAME, "example.net."),
        (.TXT, "say \"hi\" \\ back"), (.TXT, ""), (.TXT, String(repeating: "k", count: 300)), (.SPF, "v=spf1 mx -all"),
        (.CAA, "128 tbs \"Unknown\""), (.CAA, "0 issue \"ca.example.net; account=230123\""),
        (.DS, "12345 3 1 123456789abcdef67890123456789abcdef67890"),
        (.TLSA, "3 1 1 a9cdf989b504fe5dca90c0d2167b6550570734f7c763e09fdf88904e06157065"),
        (.SSHFP, "1 1 aa549bfe898489c02d1715d97d79c57ba2fa76ab"),
        (.NAPTR, "0 0 \"\" \"\" \"\" ."), (.NAPTR, "100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" ."),
        (.URI, "10 1 \"ftp://ftp1.example.com/public\""),
        (.LOC, "60 9 0.000 N 24 39 0.000 E 10.00m 20.00m 2000.00m 20.00m"),
        (.LOC, "0 9 1.000 S 24 39 0.500 W -2.00m 1.00m 10000.00m 10.00m"),
        (.HTTPS, "1 . alpn=h3,h2 port=8443 ipv4hint=192.0.2.1 ech=abcd ipv6hint=2001:db8::1"),
        (.HTTPS, "0 svc.example."),
        (.SVCB, "16 foo.example.org. mandatory=alpn,port alpn=foo\\\\,bar,h2 no-default-alpn port=12345 key7=/dns-query{?dns} key65000=x"),
    ]

    /// A reply holding one record of `type` with `rdata`, owner "example.com.".
    static func reply(type: UInt16, rdata: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 1, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0]
        bytes += [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0]
        bytes.appendUInt16(type)
        bytes.appendUInt16(1)
        bytes += [0, 0, 0x0E, 0x10]
        bytes.appendUInt16(UInt16(rdata.count))
        return bytes + rdata
    }

    @Test("canonical value → RDATA → the same canonical value", arguments: values.indices)
    func roundTrip(_ index: Int) throws {
        let (type, value) = Self.values[index]
        let canonical = try RecordValues.canonical(value, type: type).get()
        let wireType = try #require(DNSRecordType(name: type.rawValue))
        let rdata = try DNSRData.encode(wireType, canonical)
        let record = try #require(try DNSMessage.parseResponse(Self.reply(type: wireType.code, rdata: rdata)).answers.first)
        let back = type.isText ? record.value : try RecordValues.canonical(record.value, type: type).get()
        #expect(back == canonical)
    }

    @Test("a signed UPDATE carries the zone, prerequisites and updates, then one TSIG record")
    func signedUpdate() throws {
        var update = DNSUpdate(zone: "example.com.")
        update.prerequisites = [.exists("www.example.com.", .a, rdata: [192, 0, 2, 9])]
        update.updates = [.add("www.example.com.", .a, ttl: 300, rdata: [192, 0, 2, 1])]
        let key = try #require(TSIGKey(name: "plumb", algorithm: .hmacSHA512, secret: "c2VjcmV0c2VjcmV0c2VjcmV0"))
        let (message, mac) = try key.sign(try update.message(id: 0x1234))
        #expect(mac.count == 64)
        #expect(Array(message[2...11]) == [0x28, 0, 0, 1, 0, 1, 0, 1, 0, 1])
        let parsed = try DNSMessage.parseResponse(message)
        #expect(parsed.opcode == 5)
        #expect(parsed.signature?.keyName == "plumb.")
        #expect(parsed.signature?.algorithm == "hmac-sha512.")
        #expect(parsed.signature?.mac == mac)
        #expect(parsed.signature?.originalID == 0x1234)
    }
}
