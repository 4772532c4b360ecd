import Testing

@testable import PlumbCore

@Suite("IPv6 CIDRs")
struct IPv6CIDRTests {
    @Test(
        "parsed into the canonical form EC2 reports, so rules compare as written",
        arguments: [
            ("::/0", "::/0"), ("2001:DB8::/32", "2001:db8::/32"), ("2001:0db8:0000:0000::/64", "2001:db8::/64"),
            ("2600:1f18:abcd:ef00::/56", "2600:1f18:abcd:ef00::/56"), ("fe80:0:0:1:0:0:0:0/64", "fe80:0:0:1::/64"),
            ("2001:db8:0:0:1:0:0:0/80", "2001:db8:0:0:1::/80"), ("2001:0:0:1:0:0:1:1/128", "2001::1:0:0:1:1/128"),
        ])
    func canonical(_ input: String, _ expected: String) throws {
        #expect(try #require(IPv6CIDR(input)).description == expected)
    }

    @Test(
        "refused with the reason",
        arguments: [
            ("2001:db8::1/32", "host bits set; the network is 2001:db8::/32"), ("2001:db8::/129", "not a prefix length"),
            ("2001:db8:::/32", "not an IPv6 address"), ("1:2:3:4:5:6:7:8:9/64", "not an IPv6 address"),
            ("2001:db8::", "not a CIDR"), ("10.0.0.0/8", "not an IPv6 address"),
        ])
    func refused(_ input: String, _ reason: String) {
        #expect(IPv6CIDR(input) == nil)
        #expect(IPv6CIDR.problem(input).contains(reason), "\(IPv6CIDR.problem(input))")
    }

    @Test("a VPC's /56 holds 256 subnet /64s; the number goes there and back")
    func subnets() throws {
        let vpc = try #require(IPv6CIDR("2600:1f18:abcd:ef00::/56"))
        #expect(vpc.subnet(0, length: 64)?.description == "2600:1f18:abcd:ef00::/64")
        #expect(vpc.subnet(1, length: 64)?.description == "2600:1f18:abcd:ef01::/64")
        #expect(vpc.subnet(255, length: 64)?.description == "2600:1f18:abcd:efff::/64")
        #expect(vpc.subnet(256, length: 64) == nil)
        for index in [0, 1, 42, 255] {
            #expect(try #require(vpc.subnet(index, length: 64)).index(in: vpc) == index)
        }
        #expect(try #require(IPv6CIDR("2001:db8::/64")).index(in: vpc) == nil, "outside the block")
    }
}
