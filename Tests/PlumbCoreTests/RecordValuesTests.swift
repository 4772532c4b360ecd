import PlumbTestSupport
import Testing

@testable import PlumbCore

struct RecordValueCase: CustomTestStringConvertible, Sendable {
    var id: String
    var type: RecordType
    var input: String
    /// The canonical form; nil when the value must be refused.
    var canonical: String?

    var testDescription: String { id }
}

@Suite("Record values")
struct RecordValuesTests {
    static let valid: [RecordValueCase] = [
        .init(id: "a-plain", type: .A, input: "192.0.2.10", canonical: "192.0.2.10"),
        .init(id: "a-surrounding-spaces", type: .A, input: " 192.0.2.10 ", canonical: "192.0.2.10"),
        .init(id: "aaaa-uncompressed-upper", type: .AAAA, input: "2001:DB8:0:0:0:0:0:10", canonical: "2001:db8::10"),
        .init(id: "aaaa-partly-compressed", type: .AAAA, input: "2001:db8:0:0::10", canonical: "2001:db8::10"),
        .init(id: "aaaa-leading-zeros", type: .AAAA, input: "2001:0db8::0010", canonical: "2001:db8::10"),
        .init(id: "cname-mixed-case", type: .CNAME, input: "WWW.Example.COM.", canonical: "www.example.com."),
        .init(id: "ns-target", type: .NS, input: "NS1.example.net.", canonical: "ns1.example.net."),
        .init(id: "ptr-target", type: .PTR, input: "host.example.com.", canonical: "host.example.com."),
        .init(id: "cname-underscore-label", type: .CNAME, input: "_acme.example.com.", canonical: "_acme.example.com."),
        .init(id: "mx-extra-space-and-case", type: .MX, input: "10  Mail.Example.com.", canonical: "10 mail.example.com."),
        .init(id: "srv-plain", type: .SRV, input: "10 60 5060 SIP.example.com.", canonical: "10 60 5060 sip.example.com."),
        .init(id: "srv-root-target", type: .SRV, input: "0 0 0 .", canonical: "0 0 0 ."),
        .init(id: "caa-upper-tag", type: .CAA, input: "0 ISSUE \"letsencrypt.org\"", canonical: "0 issue \"letsencrypt.org\""),
        .init(
            id: "caa-iodef", type: .CAA, input: "128 iodef \"mailto:security@example.com\"", canonical: "128 iodef \"mailto:security@example.com\""),
        .init(
            id: "txt-kept-as-written", type: .TXT, input: "v=spf1 include:_spf.Example.com -all", canonical: "v=spf1 include:_spf.Example.com -all"),
        .init(id: "txt-with-quotes", type: .TXT, input: "say \"hi\"", canonical: "say \"hi\""),
        // What the RFCs allow beyond the common case (issue #20: the ISC example zone).
        .init(id: "caa-any-tag-rfc8659", type: .CAA, input: "128 tbs \"Unknown\"", canonical: "128 tbs \"Unknown\""),
        .init(id: "caa-flags-255", type: .CAA, input: "255 contactemail \"x@example.com\"", canonical: "255 contactemail \"x@example.com\""),
        .init(id: "caa-unquoted-value", type: .CAA, input: "0 issue letsencrypt.org", canonical: "0 issue \"letsencrypt.org\""),
        .init(id: "caa-empty-value", type: .CAA, input: "0 issue \"\"", canonical: "0 issue \"\""),
        .init(id: "cname-root", type: .CNAME, input: ".", canonical: "."),
        .init(id: "dname-root", type: .DNAME, input: ".", canonical: "."),
        .init(id: "txt-empty-string", type: .TXT, input: "", canonical: ""),
        .init(id: "txt-newline-byte", type: .TXT, input: "foo\nbar", canonical: "foo\nbar"),
        .init(id: "txt-outer-spaces-kept", type: .TXT, input: " padded ", canonical: " padded "),
        .init(id: "txt-long", type: .TXT, input: String(repeating: "x", count: 5000), canonical: String(repeating: "x", count: 5000)),
        .init(id: "spf-like-txt", type: .SPF, input: "v=spf1 mx -all", canonical: "v=spf1 mx -all"),
        // The new types (SPEC §8.5), each in the form PowerDNS and BIND print.
        .init(
            id: "ds-upper-hex-split", type: .DS, input: "12345 3 1 123456789ABCDEF6 7890123456789abcdef67890",
            canonical: "12345 3 1 123456789abcdef67890123456789abcdef67890"),
        .init(
            id: "tlsa-upper-hex", type: .TLSA, input: "3 1 1 A9CDF989B504FE5DCA90C0D2167B6550570734F7C763E09FDF88904E06157065",
            canonical: "3 1 1 a9cdf989b504fe5dca90c0d2167b6550570734f7c763e09fdf88904e06157065"),
        .init(
            id: "sshfp", type: .SSHFP, input: "1 1 aa549bfe898489c02d1715d97d79c57ba2fa76ab",
            canonical: "1 1 aa549bfe898489c02d1715d97d79c57ba2fa76ab"),
        .init(id: "naptr-empty-strings-root", type: .NAPTR, input: "0 0 \"\" \"\" \"\" .", canonical: "0 0 \"\" \"\" \"\" ."),
        .init(
            id: "naptr-regexp", type: .NAPTR, input: "100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .",
            canonical: "100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" ."),
        .init(
            id: "naptr-replacement-case", type: .NAPTR, input: "65535 65535 \"blurgh\" \"blorf\" \"blegh\" Foo.",
            canonical: "65535 65535 \"blurgh\" \"blorf\" \"blegh\" foo."),
        .init(id: "naptr-unquoted-strings", type: .NAPTR, input: "100 10 u E2U+sip \"\" .", canonical: "100 10 \"u\" \"E2U+sip\" \"\" ."),
        .init(id: "uri", type: .URI, input: "10 1 \"ftp://ftp1.example.com/public\"", canonical: "10 1 \"ftp://ftp1.example.com/public\""),
        .init(
            id: "loc-short-form", type: .LOC, input: "60 9 N 24 39 E 10 20 2000 20",
            canonical: "60 9 0.000 N 24 39 0.000 E 10.00m 20.00m 2000.00m 20.00m"),
        .init(
            id: "loc-powerdns-rounding", type: .LOC, input: "60 8 60.000 N 24 38 60.000 E 10.00m 20.00m 2000.00m 20.00m",
            canonical: "60 9 0.000 N 24 39 0.000 E 10.00m 20.00m 2000.00m 20.00m"),
        .init(
            id: "loc-defaults-and-south-west", type: .LOC, input: "0 9 1 S 24 39 0.5 W -2m",
            canonical: "0 9 1.000 S 24 39 0.500 W -2.00m 1.00m 10000.00m 10.00m"),
        .init(
            id: "loc-size-as-stored", type: .LOC, input: "52 22 23 N 4 53 32 E 0m 12m 10000m 10m",
            canonical: "52 22 23.000 N 4 53 32.000 E 0.00m 10.00m 10000.00m 10.00m"),
        .init(
            id: "svcb-key-order-and-names", type: .SVCB, input: "1 Svc.Example. port=\"8443\" key1=h2,h3 mandatory=port,alpn",
            canonical: "1 svc.example. mandatory=alpn,port alpn=h2,h3 port=8443"),
        .init(
            id: "svcb-hints", type: .SVCB, input: "1 . ipv6hint=2001:DB8:0::1 ipv4hint=192.0.2.1,192.0.2.2 no-default-alpn alpn=h2",
            canonical: "1 . alpn=h2 no-default-alpn ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::1"),
        .init(
            id: "svcb-escaped-comma", type: .SVCB, input: "16 foo.example.org. alpn=\"foo\\\\,bar,h2\"",
            canonical: "16 foo.example.org. alpn=foo\\\\,bar,h2"),
        .init(id: "svcb-dohpath-as-key7", type: .SVCB, input: "1 . dohpath=/q{?dns} ohttp", canonical: "1 . key7=\"/q{?dns}\" key8"),
        .init(id: "https-alias", type: .HTTPS, input: "0 svc.example.", canonical: "0 svc.example."),
        .init(id: "https-ech-quoted", type: .HTTPS, input: "1 . port=8002 ech=\"abcd\"", canonical: "1 . port=8002 ech=\"abcd\""),
        .init(id: "https-unknown-key", type: .HTTPS, input: "1 . key65000=foo", canonical: "1 . key65000=\"foo\""),
    ]

    static let invalid: [RecordValueCase] = [
        .init(id: "a-octet-over-255", type: .A, input: "192.0.2.300"),
        .init(id: "a-three-octets", type: .A, input: "192.0.2"),
        .init(id: "a-leading-zero", type: .A, input: "010.0.0.1"),
        .init(id: "a-ipv6", type: .A, input: "2001:db8::1"),
        .init(id: "a-hostname", type: .A, input: "www.example.com."),
        .init(id: "aaaa-ipv4", type: .AAAA, input: "192.0.2.1"),
        .init(id: "aaaa-triple-colon", type: .AAAA, input: "2001:db8:::1"),
        .init(id: "cname-not-fully-qualified", type: .CNAME, input: "www.example.com"),
        .init(id: "cname-space-in-label", type: .CNAME, input: "bad name.example.com."),
        .init(id: "cname-label-over-63", type: .CNAME, input: String(repeating: "a", count: 64) + ".example.com."),
        .init(id: "mx-without-preference", type: .MX, input: "mail.example.com."),
        .init(id: "mx-preference-over-65535", type: .MX, input: "70000 mail.example.com."),
        .init(id: "mx-host-not-fully-qualified", type: .MX, input: "10 mail.example.com"),
        .init(id: "srv-missing-weight", type: .SRV, input: "10 5060 sip.example.com."),
        .init(id: "caa-flags-over-255", type: .CAA, input: "256 issue \"x\""),
        .init(id: "caa-tag-with-hyphen", type: .CAA, input: "0 is-sue \"x\""),
        .init(id: "caa-tag-over-15", type: .CAA, input: "0 abcdefghijklmnop \"x\""),
        .init(id: "caa-open-quote", type: .CAA, input: "0 issue \"x"),
        .init(id: "txt-over-rdata", type: .TXT, input: String(repeating: "x", count: 65_281)),
        .init(id: "ds-odd-hex", type: .DS, input: "12345 3 1 abc"),
        .init(id: "ds-keytag-over-65535", type: .DS, input: "70000 3 1 abcd"),
        .init(id: "ds-no-digest", type: .DS, input: "12345 3 1"),
        .init(id: "tlsa-not-hex", type: .TLSA, input: "3 1 1 xyz0"),
        .init(id: "sshfp-alg-over-255", type: .SSHFP, input: "256 1 abcd"),
        .init(id: "naptr-five-fields", type: .NAPTR, input: "100 10 \"u\" \"E2U+sip\" ."),
        .init(id: "naptr-relative-replacement", type: .NAPTR, input: "100 10 \"\" \"\" \"\" foo"),
        .init(id: "uri-empty-target", type: .URI, input: "10 1 \"\""),
        .init(id: "loc-latitude-over-90", type: .LOC, input: "91 0 0 N 0 0 0 E 0m"),
        .init(id: "loc-minutes-over-59", type: .LOC, input: "52 60 0 N 4 0 0 E 0m"),
        .init(id: "loc-no-altitude", type: .LOC, input: "52 22 23 N 4 53 32 E"),
        .init(id: "loc-size-over-90000km", type: .LOC, input: "52 22 23 N 4 53 32 E 0m 90000001m"),
        .init(id: "svcb-unknown-key-name", type: .SVCB, input: "1 . colour=blue"),
        .init(id: "svcb-duplicate-key", type: .SVCB, input: "1 . alpn=h2 key1=h3"),
        .init(id: "svcb-bad-port", type: .SVCB, input: "1 . port=99999"),
        .init(id: "svcb-alpn-without-value", type: .SVCB, input: "1 . alpn"),
        .init(id: "https-target-not-fqdn", type: .HTTPS, input: "1 svc"),
    ]

    @Test("valid values take their canonical form", arguments: valid)
    func canonical(_ value: RecordValueCase) {
        #expect(RecordValues.canonical(value.input, type: value.type) == .success(value.canonical!))
    }

    @Test("invalid values are refused with a hint", arguments: invalid)
    func refused(_ value: RecordValueCase) {
        guard case .failure(.invalid(_, let hint)) = RecordValues.canonical(value.input, type: value.type) else {
            Issue.record("\(value.input) was accepted as \(value.type)")
            return
        }
        #expect(!hint.isEmpty)
    }

    @Test("canonical forms are stable: canonicalising twice changes nothing", arguments: valid)
    func idempotent(_ value: RecordValueCase) throws {
        let once = try RecordValues.canonical(value.input, type: value.type).get()
        #expect(RecordValues.canonical(once, type: value.type) == .success(once))
    }

    @Test("a null MX (RFC 7505: \"0 .\", no mail accepted) is a valid MX value")
    func nullMX() {
        #expect(RecordValues.canonical("0 .", type: .MX) == .success("0 ."))
    }

    @Test("a record set's values compare as a set")
    func valuesAreASet() {
        #expect(RecordSpec(ttl: 60, values: ["b", "a", "a"]) == RecordSpec(ttl: 60, values: ["a", "b"]))
        #expect(RecordSpec(ttl: 60, values: ["a"]) != RecordSpec(ttl: 300, values: ["a"]))
        #expect(RecordSpec(ttl: 60, values: ["a", "b"]).values == ["a", "b"])
    }

    @Test("valid relative names", arguments: ["@", "*", "*.dev", "www", "_sip._tcp", "a-b.c", String(repeating: "a", count: 63) + ".b"])
    func validNames(_ name: String) {
        #expect(DNSLabel.isValidRelativeName(name))
    }

    @Test("invalid relative names", arguments: ["", "www.", "a..b", "*.*", "a b", "dev.*", "-.", String(repeating: "a", count: 64)])
    func invalidNames(_ name: String) {
        #expect(!DNSLabel.isValidRelativeName(name))
    }

    @Test("record addresses parse only as ZONE/NAME/TYPE with a known type")
    func recordAddresses() {
        #expect(Address("dns.record/example.com./www/A")?.recordParts?.name == "www")
        #expect(Address("dns.record/example.com./_sip._tcp/SRV")?.recordParts?.type == .SRV)
        #expect(Address("dns.record/example.com./www") == nil)
        #expect(Address("dns.record/example.com./a/b/A") == nil)
        #expect(Address("dns.record/example.com./www/XX") == nil)
        #expect(Address("dns.record/example.com./www/") == nil)
        #expect(Address("net.vpc/main/extra") != nil, "only records have parts")
    }

    @Test("names relative to a zone")
    func relativeNames() {
        #expect(DNSName.relative("example.com.", zone: "example.com.") == "@")
        #expect(DNSName.relative("WWW.Example.com.", zone: "example.com.") == "www")
        #expect(DNSName.relative("a.b.example.com.", zone: "example.com.") == "a.b")
        #expect(DNSName.relative("www.example.org.", zone: "example.com.") == nil)
        #expect(DNSName.relative("badexample.com.", zone: "example.com.") == nil)
        #expect(DNSName.relative("ü.Café.example.", zone: "café.example.") == "ü")
        #expect(DNSName.relative("example.com.", zone: "www.example.com.") == nil)
        #expect(DNSName.relative("com.", zone: "example.com.") == nil)
        #expect(DNSName.absolute("@", zone: "example.com.") == "example.com.")
        #expect(DNSName.absolute("www", zone: "example.com.") == "www.example.com.")
    }
}
