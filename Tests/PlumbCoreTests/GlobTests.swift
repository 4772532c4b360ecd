import PlumbTestSupport
import Testing

@testable import PlumbCore

struct GlobCase: CustomTestStringConvertible, Sendable {
    var id: String
    var pattern: String
    var text: String
    var matches: Bool
    var testDescription: String { id }
}

@Suite("Address globs")
struct GlobTests {
    @Test(
        "globs match addresses",
        arguments: [
            GlobCase(id: "star-matches-everything", pattern: "*", text: "dns.record/example.com./www/A", matches: true),
            GlobCase(id: "star-matches-empty", pattern: "*", text: "", matches: true),
            GlobCase(id: "exact", pattern: "net.vpc/main", text: "net.vpc/main", matches: true),
            GlobCase(id: "exact-is-not-prefix", pattern: "net.vpc/main", text: "net.vpc/main2", matches: false),
            GlobCase(id: "zone-star-crosses-slashes", pattern: "dns.record/example.com./*", text: "dns.record/example.com./www/A", matches: true),
            GlobCase(id: "zone-star-other-zone", pattern: "dns.record/example.com./*", text: "dns.record/example.org./www/A", matches: false),
            GlobCase(id: "zone-star-not-the-zone-itself", pattern: "dns.record/example.com./*", text: "dns.zone/example.com.", matches: false),
            GlobCase(id: "type-suffix", pattern: "dns.record/*/A", text: "dns.record/example.com./www/A", matches: true),
            GlobCase(id: "type-suffix-other-type", pattern: "dns.record/*/A", text: "dns.record/example.com./www/AAAA", matches: false),
            GlobCase(id: "question-mark-one-char", pattern: "net.subnet/web-?", text: "net.subnet/web-a", matches: true),
            GlobCase(id: "question-mark-not-two", pattern: "net.subnet/web-?", text: "net.subnet/web-ab", matches: false),
            GlobCase(id: "question-mark-not-zero", pattern: "net.subnet/web-?", text: "net.subnet/web-", matches: false),
            GlobCase(id: "kind-prefix", pattern: "net.*", text: "net.security_group/db", matches: true),
            GlobCase(id: "kind-prefix-other-kind", pattern: "net.*", text: "iam.role/deployer", matches: false),
            GlobCase(id: "two-stars-backtrack", pattern: "*www*A", text: "dns.record/example.com./www/AAAA", matches: true),
            GlobCase(id: "star-in-middle-backtracks", pattern: "dns.*/www/A", text: "dns.record/www.x./www/A", matches: true),
            GlobCase(id: "wildcard-record-name", pattern: "dns.record/example.com./*.dev/A", text: "dns.record/example.com./*.dev/A", matches: true),
            GlobCase(id: "empty-pattern", pattern: "", text: "net.vpc/main", matches: false),
            GlobCase(id: "trailing-stars", pattern: "net.vpc/main**", text: "net.vpc/main", matches: true),
        ])
    func matches(_ value: GlobCase) {
        #expect(Glob.matches(value.pattern, value.text) == value.matches)
    }

    @Test("a check applies to a chunk when one of its globs matches one of the chunk's addresses")
    func checkApplies() {
        let check = Check(name: "www", after: ["dns.record/example.com./www/*", "net.vpc/main"], probe: .command(["true"]))
        #expect(check.applies(to: [Address("dns.record/example.com./www/A")!]))
        #expect(check.applies(to: [Address("net.subnet/a")!, Address("net.vpc/main")!]))
        #expect(!check.applies(to: [Address("dns.record/example.com./api/CNAME")!]))
        #expect(!check.applies(to: []))
        #expect(Check(name: "all", probe: .command(["true"])).applies(to: [Address("iam.role/x")!]))
    }

    @Test(
        "addresses parse and print",
        arguments: [
            "dns.zone/example.com.", "dns.record/example.com./@/MX", "dns.record/example.com./*.dev/A",
            "net.vpc/main", "net.subnet/web-a", "net.security_group/web", "iam.role/deployer",
        ])
    func addressRoundTrip(_ text: String) throws {
        #expect(try #require(Address(text)).description == text)
    }

    @Test(
        "malformed addresses are refused",
        arguments: [
            "net.vpc", "net.vpc/", "vpc/main", "dns.record/example.com./www", "dns.record/example.com./www/HINFO", "",
        ])
    func badAddress(_ text: String) {
        #expect(Address(text) == nil)
    }

    @Test("record addresses split into zone, name and type")
    func recordParts() throws {
        let parts = try #require(Address("dns.record/example.com./_sip._tcp/SRV")?.recordParts)
        #expect(parts.zone == "example.com.")
        #expect(parts.name == "_sip._tcp")
        #expect(parts.type == .SRV)
        #expect(Address("net.vpc/main")?.recordParts == nil)
        #expect(Address("dns.record/example.com./www/A")?.zoneName == "example.com.")
        #expect(Address("dns.zone/example.com.")?.zoneName == "example.com.")
    }
}
