import Testing
@testable import PlumbCore
import PlumbTestSupport

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
        .init(id: "caa-iodef", type: .CAA, input: "128 iodef \"mailto:security@example.com\"", canonical: "128 iodef \"mailto:security@example.com\""),
        .init(id: "txt-kept-as-written", type: .TXT, input: "v=spf1 include:_spf.Example.com -all", canonical: "v=spf1 include:_spf.Example.com -all"),
        .init(id: "txt-with-quotes", type: .TXT, input: "say \"hi\"", canonical: "say \"hi\""),
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
        .init(id: "caa-unquoted-value", type: .CAA, input: "0 issue letsencrypt.org"),
        .init(id: "caa-unknown-tag", type: .CAA, input: "0 policy \"x\""),
        .init(id: "caa-flags-over-255", type: .CAA, input: "256 issue \"x\""),
        .init(id: "txt-empty", type: .TXT, input: ""),
        .init(id: "txt-over-4000-bytes", type: .TXT, input: String(repeating: "x", count: 4001)),
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

    @Test("valid relative names", arguments: ["@", "*", "*.dev", "www", "_sip._tcp", "a-b.c"])
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
