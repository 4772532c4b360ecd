import PlumbTestSupport
import Testing

@testable import PlumbCore

struct CIDRCase: CustomTestStringConvertible, Sendable {
    var id: String
    var text: String
    var testDescription: String { id }
}

struct CIDRPair: CustomTestStringConvertible, Sendable {
    var id: String
    var outer: String
    var inner: String
    var contains: Bool
    var overlaps: Bool
    var testDescription: String { id }
}

@Suite("IPv4 CIDR")
struct CIDRTests {
    @Test(
        "valid networks parse and print back",
        arguments: [
            CIDRCase(id: "vpc-16", text: "10.0.0.0/16"),
            CIDRCase(id: "subnet-24", text: "10.0.1.0/24"),
            CIDRCase(id: "host-32", text: "192.0.2.10/32"),
            CIDRCase(id: "everything-0", text: "0.0.0.0/0"),
            CIDRCase(id: "odd-25", text: "10.0.1.128/25"),
        ])
    func parses(_ value: CIDRCase) throws {
        let cidr = try #require(IPv4CIDR(value.text))
        #expect(cidr.description == value.text)
    }

    @Test(
        "invalid networks are refused",
        arguments: [
            CIDRCase(id: "host-bits-set", text: "10.0.0.5/16"),
            CIDRCase(id: "host-bits-set-25", text: "10.0.1.64/25"),
            CIDRCase(id: "no-prefix", text: "10.0.0.0"),
            CIDRCase(id: "prefix-33", text: "10.0.0.0/33"),
            CIDRCase(id: "negative-prefix", text: "10.0.0.0/-1"),
            CIDRCase(id: "octet-256", text: "10.0.256.0/24"),
            CIDRCase(id: "leading-zero", text: "10.00.0.0/16"),
            CIDRCase(id: "three-octets", text: "10.0.0/16"),
            CIDRCase(id: "two-slashes", text: "10.0.0.0/16/2"),
            CIDRCase(id: "empty", text: ""),
        ])
    func refused(_ value: CIDRCase) {
        #expect(IPv4CIDR(value.text) == nil)
        #expect(!IPv4CIDR.problem(value.text).isEmpty)
    }

    @Test(
        "containment and overlap",
        arguments: [
            CIDRPair(id: "subnet-inside-vpc", outer: "10.0.0.0/16", inner: "10.0.1.0/24", contains: true, overlaps: true),
            CIDRPair(id: "same-network", outer: "10.0.1.0/24", inner: "10.0.1.0/24", contains: true, overlaps: true),
            CIDRPair(id: "subnet-outside-vpc", outer: "10.0.0.0/16", inner: "10.1.0.0/24", contains: false, overlaps: false),
            CIDRPair(id: "wider-than-vpc", outer: "10.0.0.0/16", inner: "10.0.0.0/15", contains: false, overlaps: true),
            CIDRPair(id: "half-of-subnet", outer: "10.0.1.0/24", inner: "10.0.1.128/25", contains: true, overlaps: true),
            CIDRPair(id: "adjacent-subnets", outer: "10.0.1.0/24", inner: "10.0.2.0/24", contains: false, overlaps: false),
            CIDRPair(id: "last-address-of-vpc", outer: "10.0.0.0/16", inner: "10.0.255.255/32", contains: true, overlaps: true),
            CIDRPair(id: "first-address-after-vpc", outer: "10.0.0.0/16", inner: "10.1.0.0/32", contains: false, overlaps: false),
            CIDRPair(id: "everything-contains-all", outer: "0.0.0.0/0", inner: "255.255.255.255/32", contains: true, overlaps: true),
        ])
    func containment(_ pair: CIDRPair) throws {
        let outer = try #require(IPv4CIDR(pair.outer))
        let inner = try #require(IPv4CIDR(pair.inner))
        #expect(outer.contains(inner) == pair.contains)
        #expect(outer.overlaps(inner) == pair.overlaps)
        #expect(inner.overlaps(outer) == pair.overlaps, "overlap is symmetric")
    }

    @Test("the problem with host bits names the network meant")
    func hostBitsProblem() {
        #expect(IPv4CIDR.problem("10.0.0.5/16").contains("10.0.0.0/16"))
    }

    @Test("network, mask and last address")
    func arithmetic() throws {
        let cidr = try #require(IPv4CIDR("10.0.1.0/24"))
        #expect(cidr.network == 0x0A00_0100)
        #expect(cidr.mask == 0xFFFF_FF00)
        #expect(cidr.last == 0x0A00_01FF)
        #expect(try #require(IPv4CIDR("0.0.0.0/0")).mask == 0)
    }
}
