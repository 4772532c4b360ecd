import Foundation
import PlumbCore
import Testing

@testable import PlumbProviderAWS

/// Spelled with the module: on macOS Foundation has an `XMLElement` class of its own.
private typealias Tree = PlumbProviderAWS.XMLElement

private func parse(_ text: String) throws -> Tree {
    try #require(Tree.parse(Data(text.utf8)), "not well-formed XML: \(text)")
}

/// Records which tokens `collectPages` passed, in order.
private actor TokenLog {
    var tokens: [String?] = []
    func append(_ token: String?) { tokens.append(token) }
}

// MARK: - EC2

@Suite("EC2 mapping: pagination, permissions, rules")
struct EC2MappingTests {
    static func page(_ ids: [String], next: String?) -> String {
        let items = ids.map { "<item><vpcId>\($0)</vpcId></item>" }.joined()
        let token = next.map { "<nextToken>\($0)</nextToken>" } ?? ""
        return """
            <DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
                <requestId>r</requestId><vpcSet>\(items)</vpcSet>\(token)
            </DescribeVpcsResponse>
            """
    }

    @Test("collectPages follows nextToken across three pages and stops on a missing token")
    func collectPagesMissingToken() async throws {
        let pages: [String?: String] = [
            nil: Self.page(["vpc-1", "vpc-2"], next: "t-2"),
            "t-2": Self.page(["vpc-3"], next: "t-3"),
            "t-3": Self.page(["vpc-4", "vpc-5"], next: nil),
        ]
        let log = TokenLog()
        let items = try await EC2API.collectPages(list: "vpcSet") { token in
            await log.append(token)
            return try parse(try #require(pages[token], "unexpected token \(token ?? "nil")"))
        }
        #expect(items.map { $0.value("vpcId") } == ["vpc-1", "vpc-2", "vpc-3", "vpc-4", "vpc-5"])
        #expect(await log.tokens == [nil, "t-2", "t-3"])
    }

    @Test("collectPages stops on an empty nextToken and keeps an empty page's place")
    func collectPagesEmptyToken() async throws {
        let pages: [String?: String] = [
            nil: Self.page(["vpc-a"], next: "one"),
            "one": Self.page([], next: "two"),
            "two": Self.page(["vpc-b"], next: ""),
        ]
        let log = TokenLog()
        let items = try await EC2API.collectPages(list: "vpcSet") { token in
            await log.append(token)
            return try parse(try #require(pages[token], "unexpected token \(token ?? "nil")"))
        }
        #expect(items.map { $0.value("vpcId") } == ["vpc-a", "vpc-b"])
        #expect(await log.tokens == [nil, "one", "two"])
    }

    @Test("collectPages passes a fetch error through")
    func collectPagesError() async throws {
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            _ = try await EC2API.collectPages(list: "vpcSet") { token in
                if token == nil { return try parse(Self.page(["vpc-1"], next: "t")) }
                throw Boom()
            }
        }
    }

    /// A group's ingress as DescribeSecurityGroups reports it.
    static let groupXML = """
        <item xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
            <ownerId>123456789012</ownerId>
            <groupId>sg-0web</groupId>
            <groupName>web</groupName>
            <ipPermissions>
                <item>
                    <ipProtocol>tcp</ipProtocol>
                    <fromPort>443</fromPort>
                    <toPort>443</toPort>
                    <groups/>
                    <ipRanges>
                        <item><cidrIp>0.0.0.0/0</cidrIp><description>https</description></item>
                        <item><cidrIp>10.0.0.0/8</cidrIp></item>
                    </ipRanges>
                    <ipv6Ranges>
                        <item><cidrIpv6>::/0</cidrIpv6></item>
                    </ipv6Ranges>
                    <prefixListIds/>
                </item>
                <item>
                    <ipProtocol>tcp</ipProtocol>
                    <fromPort>8000</fromPort>
                    <toPort>8010</toPort>
                    <groups>
                        <item><userId>123456789012</userId><groupId>sg-0lb</groupId></item>
                        <item><userId>123456789012</userId><groupId>sg-0other</groupId></item>
                    </groups>
                    <ipRanges/>
                    <ipv6Ranges/>
                    <prefixListIds/>
                </item>
                <item>
                    <ipProtocol>-1</ipProtocol>
                    <groups/>
                    <ipRanges><item><cidrIp>10.1.0.0/16</cidrIp></item></ipRanges>
                    <ipv6Ranges/>
                    <prefixListIds/>
                </item>
                <item>
                    <ipProtocol>icmp</ipProtocol>
                    <fromPort>-1</fromPort>
                    <toPort>-1</toPort>
                    <groups/>
                    <ipRanges><item><cidrIp>192.168.0.0/24</cidrIp></item></ipRanges>
                </item>
            </ipPermissions>
            <ipPermissionsEgress>
                <item>
                    <ipProtocol>-1</ipProtocol>
                    <groups/>
                    <ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges>
                </item>
            </ipPermissionsEgress>
        </item>
        """

    static let expectedIngress = [
        EC2Permission(ipProtocol: "tcp", fromPort: 443, toPort: 443, peer: .cidr("0.0.0.0/0"), description: "https"),
        EC2Permission(ipProtocol: "tcp", fromPort: 443, toPort: 443, peer: .cidr("10.0.0.0/8")),
        EC2Permission(ipProtocol: "tcp", fromPort: 443, toPort: 443, peer: .cidrV6("::/0")),
        EC2Permission(ipProtocol: "tcp", fromPort: 8000, toPort: 8010, peer: .group(id: "sg-0lb")),
        EC2Permission(ipProtocol: "tcp", fromPort: 8000, toPort: 8010, peer: .group(id: "sg-0other")),
        EC2Permission(ipProtocol: "-1", fromPort: nil, toPort: nil, peer: .cidr("10.1.0.0/16")),
        EC2Permission(ipProtocol: "icmp", fromPort: -1, toPort: -1, peer: .cidr("192.168.0.0/24")),
    ]

    @Test("permissions: one EC2Permission per peer, IPv4 ranges, then IPv6, then groups; -1 without ports")
    func permissionsParse() throws {
        let group = try parse(Self.groupXML)
        #expect(EC2API.permissions(group.items("ipPermissions")) == Self.expectedIngress)
        #expect(
            EC2API.permissions(group.items("ipPermissionsEgress")) == [
                EC2Permission(ipProtocol: "-1", fromPort: nil, toPort: nil, peer: .cidr("0.0.0.0/0"))
            ])
        #expect(EC2API.permissions([]) == [])
    }

    @Test("rule: ports as Plumb writes them, nil for all and icmp, group peers by name, unknown ids kept")
    func ruleMapping() throws {
        let permissions = EC2API.permissions(try parse(Self.groupXML).items("ipPermissions"))
        let names = ["sg-0lb": "lb", "sg-0web": "web"]
        let ingress = permissions.map { EC2Rules.rule($0, ingress: true, groupNames: names) }
        #expect(
            ingress == [
                SecurityRule(protocol: "tcp", ports: "443", from: "0.0.0.0/0", description: "https"),
                SecurityRule(protocol: "tcp", ports: "443", from: "10.0.0.0/8"),
                SecurityRule(protocol: "tcp", ports: "443", from: "::/0"),
                SecurityRule(protocol: "tcp", ports: "8000-8010", from: "security_group/lb"),
                SecurityRule(protocol: "tcp", ports: "8000-8010", from: "security_group/sg-0other"),
                SecurityRule(protocol: "all", ports: nil, from: "10.1.0.0/16"),
                SecurityRule(protocol: "icmp", ports: nil, from: "192.168.0.0/24"),
            ])
        // Egress puts the peer in `to`.
        let egress = EC2Rules.rule(permissions[3], ingress: false, groupNames: names)
        #expect(egress == SecurityRule(protocol: "tcp", ports: "8000-8010", to: "security_group/lb"))
        #expect(egress.from == nil)
        // Upper-case protocols from other tools come out lower-case.
        let upper = EC2Permission(ipProtocol: "UDP", fromPort: 53, toPort: 53, peer: .cidr("10.0.0.0/8"))
        #expect(EC2Rules.rule(upper, ingress: true, groupNames: [:]) == SecurityRule(protocol: "udp", ports: "53", from: "10.0.0.0/8"))
    }

    @Test("permission: all → -1 without ports, icmp → -1/-1, tcp ranges, names → ids, IPv6 peers")
    func permissionMapping() throws {
        let ids = ["lb": "sg-0lb", "web": "sg-0web"]
        #expect(
            try EC2Rules.permission(SecurityRule(protocol: "all", ports: nil, from: "10.1.0.0/16"), groupIDs: ids)
                == EC2Permission(ipProtocol: "-1", fromPort: nil, toPort: nil, peer: .cidr("10.1.0.0/16")))
        #expect(
            try EC2Rules.permission(SecurityRule(protocol: "icmp", ports: nil, from: "192.168.0.0/24"), groupIDs: ids)
                == EC2Permission(ipProtocol: "icmp", fromPort: -1, toPort: -1, peer: .cidr("192.168.0.0/24")))
        #expect(
            try EC2Rules.permission(SecurityRule(protocol: "tcp", ports: "8000-8010", from: "security_group/lb"), groupIDs: ids)
                == EC2Permission(ipProtocol: "tcp", fromPort: 8000, toPort: 8010, peer: .group(id: "sg-0lb")))
        #expect(
            try EC2Rules.permission(SecurityRule(protocol: "udp", ports: "53", to: "10.0.0.0/8"), groupIDs: ids)
                == EC2Permission(ipProtocol: "udp", fromPort: 53, toPort: 53, peer: .cidr("10.0.0.0/8")))
        #expect(
            try EC2Rules.permission(SecurityRule(protocol: "tcp", ports: "443", from: "2001:db8::/32"), groupIDs: ids)
                == EC2Permission(ipProtocol: "tcp", fromPort: 443, toPort: 443, peer: .cidrV6("2001:db8::/32")))
        // A group Plumb could not name is still addressed by its id.
        #expect(
            try EC2Rules.permission(SecurityRule(protocol: "tcp", ports: "22", from: "security_group/sg-0other"), groupIDs: ids)
                == EC2Permission(ipProtocol: "tcp", fromPort: 22, toPort: 22, peer: .group(id: "sg-0other")))

        // A name without an id is an error that names the group.
        let error = try #require(throws: AWSError.self) {
            try EC2Rules.permission(SecurityRule(protocol: "tcp", ports: "22", from: "security_group/ghost"), groupIDs: ids)
        }
        #expect(error.code == "InvalidGroup.NotFound")
        #expect(error.message.contains("ghost"))
        #expect(error.providerCode == .notFound)
    }

    @Test("rule and permission are inverse over every permission EC2 reported")
    func roundTrip() throws {
        let permissions = EC2API.permissions(try parse(Self.groupXML).items("ipPermissions"))
        let names = ["sg-0lb": "lb"]
        let ids = ["lb": "sg-0lb"]
        for permission in permissions {
            let rule = EC2Rules.rule(permission, ingress: true, groupNames: names)
            #expect(try EC2Rules.permission(rule, groupIDs: ids) == permission, "\(rule)")
        }
    }

    @Test("delta: only the rules that differ, each way, sorted")
    func delta() {
        let https = SecurityRule(protocol: "tcp", ports: "443", from: "0.0.0.0/0")
        let ssh = SecurityRule(protocol: "tcp", ports: "22", from: "10.0.0.0/8")
        let icmp = SecurityRule(protocol: "icmp", ports: nil, from: "10.0.0.0/8")
        let web = SecurityRule(protocol: "tcp", ports: "8080", from: "security_group/web")
        let http = SecurityRule(protocol: "tcp", ports: "80", from: "0.0.0.0/0")

        let change = EC2Rules.delta(from: [https, ssh, icmp], to: [web, https, http, web])
        #expect(Set(change.revoke) == [icmp, ssh])
        #expect(Set(change.authorize) == [http, web])
        // In SecurityRule's order (its text key, so "8080" before "80"), without repeats.
        #expect(change.revoke == change.revoke.sorted() && change.revoke.count == 2)
        #expect(change.authorize == [web, http])

        let same = EC2Rules.delta(from: [https, ssh], to: [ssh, https, ssh])
        #expect(same.revoke.isEmpty)
        #expect(same.authorize.isEmpty)

        let fromNothing = EC2Rules.delta(from: [], to: EC2Rules.defaultEgress)
        #expect(fromNothing.revoke.isEmpty)
        #expect(fromNothing.authorize == [SecurityRule(protocol: "all", ports: nil, to: "0.0.0.0/0")])
    }

    @Test("delta: a description that alone differs is changed in place, never revoked and authorized again")
    func deltaDescriptions() {
        let bare = SecurityRule(protocol: "tcp", ports: "443", from: "::/0")
        let described = SecurityRule(protocol: "tcp", ports: "443", from: "::/0", description: "public HTTPS over IPv6")
        let ssh = SecurityRule(protocol: "tcp", ports: "22", from: "10.0.0.0/8", description: "bastion")

        let add = EC2Rules.delta(from: [bare, ssh], to: [described, ssh])
        #expect(add == EC2Rules.RuleDelta(revoke: [], authorize: [], redescribe: [described]))
        let clear = EC2Rules.delta(from: [described], to: [bare])
        #expect(clear == EC2Rules.RuleDelta(revoke: [], authorize: [], redescribe: [bare]))
        // A new rule carries its description in the authorize call; nothing else moves.
        let new = EC2Rules.delta(from: [ssh], to: [ssh, described])
        #expect(new == EC2Rules.RuleDelta(revoke: [], authorize: [described], redescribe: []))
    }

    @Test("parameters: descriptions ride with their peer, IPv4 and IPv6 in one call; revoke sends none")
    func descriptionParameters() throws {
        let v6 = try EC2Rules.permission(SecurityRule(protocol: "tcp", ports: "443", from: "::/0", description: "v6 web"), groupIDs: [:])
        let v4 = try EC2Rules.permission(SecurityRule(protocol: "tcp", ports: "443", from: "0.0.0.0/0", description: "v4 web"), groupIDs: [:])
        let group = try EC2Rules.permission(
            SecurityRule(protocol: "tcp", ports: "5432", from: "security_group/app", description: "app"), groupIDs: ["app": "sg-1"])
        let parameters = Dictionary(uniqueKeysWithValues: EC2API.parameters([v6, v4, group]))
        #expect(parameters["IpPermissions.1.Ipv6Ranges.1.CidrIpv6"] == "::/0")
        #expect(parameters["IpPermissions.1.Ipv6Ranges.1.Description"] == "v6 web")
        #expect(parameters["IpPermissions.2.IpRanges.1.Description"] == "v4 web")
        #expect(parameters["IpPermissions.3.Groups.1.Description"] == "app")
        let bare = EC2API.parameters([v6, v4, group], descriptions: false)
        #expect(!bare.contains { $0.0.hasSuffix(".Description") })
    }

    @Test("parameters: IpPermissions.N.… keys exactly, one peer per permission")
    func parameters() {
        let parameters = EC2API.parameters([
            EC2Permission(ipProtocol: "tcp", fromPort: 443, toPort: 443, peer: .cidr("0.0.0.0/0")),
            EC2Permission(ipProtocol: "-1", fromPort: nil, toPort: nil, peer: .cidrV6("::/0")),
            EC2Permission(ipProtocol: "icmp", fromPort: -1, toPort: -1, peer: .group(id: "sg-0lb")),
            EC2Permission(ipProtocol: "udp", fromPort: 1000, toPort: 2000, peer: .cidr("10.0.0.0/8")),
        ])
        #expect(
            parameters.map { "\($0.0)=\($0.1)" } == [
                "IpPermissions.1.IpProtocol=tcp",
                "IpPermissions.1.FromPort=443",
                "IpPermissions.1.ToPort=443",
                "IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0",
                "IpPermissions.2.IpProtocol=-1",
                "IpPermissions.2.Ipv6Ranges.1.CidrIpv6=::/0",
                "IpPermissions.3.IpProtocol=icmp",
                "IpPermissions.3.FromPort=-1",
                "IpPermissions.3.ToPort=-1",
                "IpPermissions.3.Groups.1.GroupId=sg-0lb",
                "IpPermissions.4.IpProtocol=udp",
                "IpPermissions.4.FromPort=1000",
                "IpPermissions.4.ToPort=2000",
                "IpPermissions.4.IpRanges.1.CidrIp=10.0.0.0/8",
            ])
        #expect(EC2API.parameters([]).isEmpty)
    }
}

// MARK: - Route 53

@Suite("Route 53 mapping: change batches, names, inventory")
struct Route53MappingTests {
    static func upsert(_ name: String, _ values: [String] = ["192.0.2.1"]) -> Route53Change {
        Route53Change(action: .upsert, name: name, type: "A", ttl: 300, values: values)
    }

    static func delete(_ name: String, _ values: [String] = ["192.0.2.1"]) -> Route53Change {
        Route53Change(action: .delete, name: name, type: "A", ttl: 300, values: values)
    }

    static func check(_ batches: [[Route53Change]], keepOrderOf changes: [Route53Change]) {
        #expect(batches.allSatisfy { !$0.isEmpty }, "an empty batch")
        #expect(batches.flatMap { $0 } == changes, "order or content changed")
    }

    @Test("an UPSERT counts twice: 600 single-value UPSERTs are batches of 500 and 100")
    func upsertsCountDouble() {
        let changes = (0..<600).map { Self.upsert("h\($0).example.com.") }
        let batches = Route53API.batches(changes)
        #expect(batches.map(\.count) == [500, 100])
        Self.check(batches, keepOrderOf: changes)
    }

    @Test("DELETEs count once: 1000 fit one batch, 1001 need two")
    func deletesCountOnce() {
        let thousand = (0..<1000).map { Self.delete("h\($0).example.com.") }
        #expect(Route53API.batches(thousand).map(\.count) == [1000])
        let more = thousand + [Self.delete("last.example.com.")]
        let batches = Route53API.batches(more)
        #expect(batches.map(\.count) == [1000, 1])
        Self.check(batches, keepOrderOf: more)
    }

    @Test("multi-value sets count every value: 3 values UPSERTed are 6 records")
    func multiValue() {
        // 166 × 6 = 996; the 167th would make 1002.
        let changes = (0..<200).map { Self.upsert("m\($0).example.com.", ["192.0.2.1", "192.0.2.2", "192.0.2.3"]) }
        let batches = Route53API.batches(changes)
        #expect(batches.map(\.count) == [166, 34])
        Self.check(batches, keepOrderOf: changes)
    }

    @Test("splits at 32000 characters of values, an UPSERT's counting twice")
    func characterLimit() {
        let long = String(repeating: "x", count: 250)
        // UPSERT: 500 characters each, so exactly 64 fill a batch.
        let upserts = (0..<100).map { Route53Change(action: .upsert, name: "t\($0).example.com.", type: "TXT", ttl: 300, values: [long]) }
        let batches = Route53API.batches(upserts)
        #expect(batches.map(\.count) == [64, 36])
        Self.check(batches, keepOrderOf: upserts)
        // DELETE: 250 each, 128 to a batch.
        let deletes = (0..<200).map { Route53Change(action: .delete, name: "t\($0).example.com.", type: "TXT", ttl: 300, values: [long]) }
        #expect(Route53API.batches(deletes).map(\.count) == [128, 72])
    }

    @Test("a change above the limits goes alone; nothing gives no batch")
    func oversized() {
        let big = Self.upsert("big.example.com.", (0..<600).map { "192.0.2.\($0 % 250)" })  // 1200 records
        let small1 = Self.upsert("a.example.com.")
        let small2 = Self.delete("b.example.com.")
        let middle = Route53API.batches([small1, big, small2])
        #expect(middle.map(\.count) == [1, 1, 1])
        Self.check(middle, keepOrderOf: [small1, big, small2])
        #expect(middle[1] == [big])

        let first = Route53API.batches([big, small1, small2])
        #expect(first.map(\.count) == [1, 2])
        #expect(first[0] == [big])

        let huge = Route53Change(action: .upsert, name: "txt.example.com.", type: "TXT", ttl: 300, values: [String(repeating: "y", count: 40000)])
        #expect(Route53API.batches([huge]) == [[huge]])
        #expect(Route53API.batches([huge, huge]) == [[huge], [huge]])

        #expect(Route53API.batches([]).isEmpty)
    }

    @Test("names: octal escapes decoded, upper case lowered, stray or invalid escapes left as they are")
    func decodeNames() {
        #expect(Route53Names.decode(#"\052.dev.example.com."#) == "*.dev.example.com.")
        #expect(Route53Names.decode("WWW.Example.COM.") == "www.example.com.")
        #expect(Route53Names.decode(#"\052.DEV.Example.com."#) == "*.dev.example.com.")
        #expect(Route53Names.decode(#"a\100b.example.com."#) == "a@b.example.com.")
        // Non-ASCII arrives as one escape per UTF-8 byte.
        #expect(Route53Names.decode(#"caf\303\251.example.com."#) == "café.example.com.")
        // A lone backslash at the end, and escapes that are not three octal digits.
        #expect(Route53Names.decode(#"example.com.\"#) == #"example.com.\"#)
        #expect(Route53Names.decode(#"x\05"#) == #"x\05"#)
        #expect(Route53Names.decode(#"\089.example.com."#) == #"\089.example.com."#)
        #expect(Route53Names.decode(#"\400.example.com."#) == #"\400.example.com."#)
        // A sign is not an octal digit (Swift's integer parser would take "+12" as 10).
        #expect(Route53Names.decode(#"a\+12.example.com."#) == #"a\+12.example.com."#)
        #expect(Route53Names.decode(#"a\-00.example.com."#) == #"a\-00.example.com."#)
    }

    static let zone = "example.com."

    static func set(_ name: String, _ type: String, ttl: Int? = 300, _ values: [String], special: Bool = false) -> Route53RecordSet {
        Route53RecordSet(name: name, type: type, ttl: ttl, values: values, isSpecial: special)
    }

    @Test("inventory: SOA and apex NS skipped, delegations and DS kept, TXT unquoted, alias and routing policies unmodeled, other zones ignored")
    func inventory() {
        let sets = [
            Self.set("example.com.", "SOA", ttl: 900, ["ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"]),
            Self.set("example.com.", "NS", ttl: 172800, ["ns-1.awsdns-01.org.", "ns-2.awsdns-02.net."]),
            Self.set("example.com.", "TXT", [#""say \"hi\"""#, #""v=spf1 -all""#]),
            Self.set("example.com.", "MX", ["10 mail.example.com."]),
            Self.set("www.example.com.", "A", ttl: 60, ["192.0.2.11", "192.0.2.10"]),
            Self.set("*.dev.example.com.", "A", ["192.0.2.250"]),
            Self.set("sub.example.com.", "NS", ttl: 3600, ["ns1.sub.example.com.", "ns2.sub.example.com."]),
            Self.set("sub.example.com.", "DS", ttl: 3600, ["12345 13 2 ABCDEF0123"]),
            Self.set("alias.example.com.", "A", ttl: nil, [], special: true),
            Self.set("weighted.example.com.", "A", ttl: 60, ["192.0.2.20"], special: true),
            Self.set("www.other.org.", "A", ["198.51.100.1"]),
            Self.set("badexample.com.", "A", ["198.51.100.2"]),
        ]
        let inventory = AWSDNS.inventory(zone: Self.zone, sets)

        let record = { (name: String, type: RecordType) in Address.record(zone: Self.zone, name: name, type: type) }
        #expect(
            Set(inventory.resources.keys) == [
                record("@", .TXT), record("@", .MX), record("www", .A), record("*.dev", .A), record("sub", .NS), record("sub", .DS),
            ])
        #expect(inventory.resources[record("@", .TXT)]?.spec == .record(RecordSpec(ttl: 300, values: [#"say "hi""#, "v=spf1 -all"])))
        #expect(inventory.resources[record("www", .A)]?.spec == .record(RecordSpec(ttl: 60, values: ["192.0.2.10", "192.0.2.11"])))
        #expect(
            inventory.resources[record("sub", .NS)]?.spec
                == .record(RecordSpec(ttl: 3600, values: ["ns1.sub.example.com.", "ns2.sub.example.com."])))
        #expect(inventory.resources[record("*.dev", .A)]?.address == record("*.dev", .A))

        #expect(
            inventory.unmodeled.sorted() == [
                UnmodeledRecord(zone: Self.zone, name: "alias", type: "A", ttl: 300, values: ["(alias or routing policy)"]),
                UnmodeledRecord(zone: Self.zone, name: "weighted", type: "A", ttl: 60, values: ["192.0.2.20"]),
            ])
    }
}

// MARK: - Errors

@Suite("AWS errors: the three error shapes and what they mean")
struct AWSErrorMappingTests {
    @Test("EC2's <Response><Errors><Error>")
    func ec2Shape() throws {
        let body = try parse(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>The vpc ID 'vpc-1' does not exist</Message></Error></Errors>\
            <RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>
            """)
        let error = AWSError(status: 400, body: body, operation: "DeleteVpc")
        #expect(error.code == "InvalidVpcID.NotFound")
        #expect(error.message == "The vpc ID 'vpc-1' does not exist")
        #expect(error.status == 400)
        #expect(error.description == "DeleteVpc: InvalidVpcID.NotFound: The vpc ID 'vpc-1' does not exist")
        #expect(error.isNotFound)
    }

    @Test("IAM's <ErrorResponse><Error>")
    func iamShape() throws {
        let body = try parse(
            """
            <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
              <Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name ghost cannot be found.</Message></Error>
              <RequestId>4a0f4a6c-example</RequestId>
            </ErrorResponse>
            """)
        let error = AWSError(status: 404, body: body, operation: "GetRole")
        #expect(error.code == "NoSuchEntity")
        #expect(error.message == "The role with name ghost cannot be found.")
        #expect(error.status == 404)
        #expect(error.providerCode == .notFound)
    }

    @Test("Route 53's namespaced <ErrorResponse><Error>")
    func route53Shape() throws {
        let body = try parse(
            """
            <?xml version="1.0"?>
            <ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
              <Error><Type>Sender</Type><Code>InvalidChangeBatch</Code><Message>[Tried to create resource record set [name='www.example.com.', type='A'] but it already exists]</Message></Error>
              <RequestId>b25f48e8-example</RequestId>
            </ErrorResponse>
            """)
        let error = AWSError(status: 400, body: body, operation: "ChangeResourceRecordSets")
        #expect(error.code == "InvalidChangeBatch")
        #expect(error.message.hasPrefix("[Tried to create resource record set"))
        #expect(error.providerCode == .conflict)
    }

    @Test("an HTML page or no body still gives an error with its status")
    func notXML() throws {
        let html =
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        // Not well-formed (<hr>): no tree at all.
        let document = Tree.parse(Data(html.utf8))
        #expect(document == nil)
        let error = AWSError(status: 502, body: document, operation: "DescribeVpcs")
        #expect(error.code == "HTTP502")
        #expect(error.message == "HTTP 502")
        #expect(error.providerCode == .unavailable)

        // Well-formed HTML without an <Error> element.
        let xhtml = try parse("<html><body><h1>Forbidden</h1></body></html>")
        let forbidden = AWSError(status: 403, body: xhtml, operation: "ListRoles")
        #expect(forbidden.code == "HTTP403")
        #expect(forbidden.providerCode == .invalid)

        // S3-style: <Error> at the root.
        let bare = AWSError(status: 400, body: try parse("<Error><Code>Throttling</Code><Message>slow</Message></Error>"), operation: "x")
        #expect(bare.code == "Throttling")
        #expect(bare.isThrottling)
    }

    static let codes: [(code: String, status: Int, expected: ProviderError.Code)] = [
        ("Throttling", 400, .throttled),
        ("RequestLimitExceeded", 503, .throttled),
        ("PriorRequestNotComplete", 400, .throttled),
        ("InvalidGroup.Duplicate", 400, .conflict),
        ("EntityAlreadyExists", 409, .conflict),
        ("NoSuchEntity", 404, .notFound),
        ("NoSuchHostedZone", 404, .notFound),
        ("InvalidVpcID.NotFound", 400, .notFound),
        ("InvalidPermission.NotFound", 400, .notFound),
        ("DependencyViolation", 400, .dependency),
        ("DeleteConflict", 409, .dependency),
        ("AuthFailure", 401, .unauthorized),
        ("SignatureDoesNotMatch", 403, .unauthorized),
        ("InternalError", 500, .unavailable),
        ("InternalError", 400, .unavailable),
        ("SomethingNew", 400, .invalid),
        ("InvalidParameterValue", 400, .invalid),
        ("SomethingNew", 503, .unavailable),
        ("HTTP500", 500, .unavailable),
    ]

    @Test("providerCode for the codes Plumb acts on", arguments: AWSErrorMappingTests.codes)
    func providerCodes(code: String, status: Int, expected: ProviderError.Code) {
        let error = AWSError(code: code, message: "m", status: status, operation: "op")
        #expect(error.providerCode == expected, "\(code) \(status)")
        #expect(error.isThrottling == (expected == .throttled))
        let mapped = error.providerError("cloud", address: .zone("example.com."))
        #expect(mapped.code == expected)
        #expect(mapped.provider == "cloud")
        #expect(mapped.address == .zone("example.com."))
        #expect(mapped.message == "op: \(code): m")
    }
}

// MARK: - IAM

@Suite("IAM policy documents")
struct IAMMappingTests {
    /// The trust policy as a document writes it (YAML made JSON): one statement, Action a string.
    static let desiredTrust = JSONValue.object([
        "Version": .string("2012-10-17"),
        "Statement": .array([
            .object([
                "Effect": .string("Allow"),
                "Principal": .object(["Service": .string("ec2.amazonaws.com")]),
                "Action": .string("sts:AssumeRole"),
            ])
        ]),
    ])

    /// The same policy as IAM stores it: keys shuffled, one-element lists, no whitespace.
    static let liveTrustJSON =
        #"{"Statement":[{"Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole"],"Effect":"Allow"}],"Version":"2012-10-17"}"#

    static func getRoleAnswer(_ document: String) -> String {
        """
        <GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
          <GetRoleResult>
            <Role>
              <Path>/ci/</Path>
              <AssumeRolePolicyDocument>\(document)</AssumeRolePolicyDocument>
              <MaxSessionDuration>3600</MaxSessionDuration>
              <RoleId>AROADBQP57FF2AEXAMPLE</RoleId>
              <RoleName>deployer</RoleName>
              <Description>Deploys from CI</Description>
              <Arn>arn:aws:iam::123456789012:role/ci/deployer</Arn>
              <CreateDate>2024-01-01T00:00:00Z</CreateDate>
              <Tags>
                <member><Key>plumb:stack</Key><Value>test</Value></member>
                <member><Key>team</Key><Value>platform</Value></member>
              </Tags>
            </Role>
          </GetRoleResult>
          <ResponseMetadata><RequestId>df37e965-example</RequestId></ResponseMetadata>
        </GetRoleResponse>
        """
    }

    @Test("a URL-encoded trust policy from GetRole equals the desired-state shape")
    func trustFromGetRole() throws {
        let encoded = AWSQuery.percentEncode(Self.liveTrustJSON)
        #expect(encoded.hasPrefix("%7B%22Statement%22%3A%5B"))
        let answer = try parse(Self.getRoleAnswer(encoded))
        // What IAMAPI.getRole reads (it needs HTTP; AWSTransportTests runs it for real).
        let role = try #require(answer.child("GetRoleResult")?.child("Role") ?? answer.descendants("Role").first)
        let text = try #require(role.value("AssumeRolePolicyDocument"))
        #expect(text == encoded)
        let live = try #require(PolicyDocument.parse(text))

        let desired = RoleSpec(trust: Self.desiredTrust)
        #expect(live == desired.trust)
        #expect(RoleSpec(path: "/ci/", trust: live) == RoleSpec(path: "/ci/", trust: Self.desiredTrust))
        // Plain JSON parses to the same.
        #expect(PolicyDocument.parse(Self.liveTrustJSON) == desired.trust)
        // And a different principal does not.
        let other = try #require(PolicyDocument.parse(Self.liveTrustJSON.replacingOccurrences(of: "ec2.", with: "lambda.")))
        #expect(other != desired.trust)
        #expect(PolicyDocument.parse("not json") == nil)
    }

    @Test("lists of actions compare as sets; a different list does not")
    func actionOrder() throws {
        let a = try #require(
            PolicyDocument.parse(
                #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#))
        let b = try #require(
            PolicyDocument.parse(
                AWSQuery.percentEncode(
                    #"{"Statement":{"Resource":["*"],"Action":["logs:PutLogEvents","logs:CreateLogStream"],"Effect":"Allow"},"Version":"2012-10-17"}"#
                )))
        #expect(a == b)
        #expect(a.canonicalText == b.canonicalText)
        let c = try #require(
            PolicyDocument.parse(
                #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream"],"Resource":"*"}]}"#))
        #expect(a != c)

        let desired = RoleSpec(
            trust: Self.desiredTrust,
            policies: [
                "write-logs": .object([
                    "Version": .string("2012-10-17"),
                    "Statement": .array([
                        .object([
                            "Effect": .string("Allow"), "Resource": .string("*"),
                            "Action": .array([.string("logs:PutLogEvents"), .string("logs:CreateLogStream")]),
                        ])
                    ]),
                ])
            ])
        #expect(desired.policies["write-logs"] == a)
    }
}
