import PlumbTestSupport
import Testing

@testable import PlumbCore

@Suite("Importer")
struct ImporterTests {
    static let trust = JSONValue.object([
        "Version": .string("2012-10-17"),
        "Statement": .array([
            .object([
                "Effect": .string("Allow"), "Principal": .object(["Service": .string("ec2.amazonaws.com")]),
                "Action": .string("sts:AssumeRole"),
            ])
        ]),
    ])
    static let policy = JSONValue.object([
        "Version": .string("2012-10-17"),
        "Statement": .array([
            .object([
                "Effect": .string("Allow"), "Action": .array([.string("s3:GetObject"), .string("s3:ListBucket")]),
                "Resource": .string("arn:aws:s3:::artifacts/*"),
                "Condition": .object([
                    "NumericLessThan": .object(["aws:MultiFactorAuthAge": .int(3600)]),
                    "Bool": .object(["aws:MultiFactorAuthPresent": .string("true")]),
                    "StringEquals": .object(["aws:PrincipalAccount": .string("123456789012"), "s3:prefix": .string("null")]),
                ]),
            ])
        ]),
    ])

    static func record(_ zone: String, _ name: String, _ type: RecordType, _ values: [String], ttl: Int = 3600) -> LiveResource {
        F.live(.record(zone: zone, name: name, type: type), .record(RecordSpec(ttl: ttl, values: values)))
    }

    static func owned(_ address: Address, _ spec: ResourceSpec) -> LiveResource {
        F.live(address, spec, owner: F.stack)
    }

    /// An inventory with every kind and the awkward cases: values YAML would misread
    /// (numbers, booleans, null), wildcards, the apex, several TTLs, rules of every shape.
    static let inventory = F.inventory(
        [
            F.live(.zone("example.com."), .zone(ZoneSpec())),
            record("example.com.", "@", .MX, ["10 mail.example.com.", "20 mail2.example.com."]),
            record("example.com.", "@", .TXT, ["v=spf1 -all", "123", "true", "null", "key: value", "say \"hi\" # not a comment"]),
            record("example.com.", "@", .CAA, ["0 issue \"letsencrypt.org\""]),
            record("example.com.", "www", .A, ["192.0.2.10", "192.0.2.11"], ttl: 300),
            record("example.com.", "www", .AAAA, ["2001:db8::10"], ttl: 300),
            record("example.com.", "api", .CNAME, ["www.example.com."]),
            record("example.com.", "*.dev", .A, ["192.0.2.99"]),
            record("example.com.", "*", .TXT, ["wildcard"]),
            record("example.com.", "_sip._tcp", .SRV, ["10 60 5060 sip.example.com."]),
            record("example.com.", "sub", .NS, ["ns1.example.net."]),
            record("example.com.", "yes", .A, ["192.0.2.1"], ttl: 60),
            F.live(.zone("example.org."), .zone(ZoneSpec())),
            record("example.org.", "www", .CNAME, ["www.example.com."], ttl: 120),
            owned(Address(kind: .vpc, name: "main"), .vpc(VPCSpec(cidr: "10.0.0.0/16", tags: ["team": "platform", "env": "prod"]))),
            owned(Address(kind: .subnet, name: "web-a"), .subnet(SubnetSpec(vpc: "main", cidr: "10.0.1.0/24", zone: "us-east-1a"))),
            owned(
                Address(kind: .subnet, name: "on"), .subnet(SubnetSpec(vpc: "main", cidr: "10.0.2.0/24", zone: "us-east-1b", tags: ["tier": "db"]))),
            owned(
                Address(kind: .securityGroup, name: "lb"),
                .securityGroup(
                    SecurityGroupSpec(
                        vpc: "main", description: "Load balancers",
                        ingress: [
                            SecurityRule(protocol: "tcp", ports: "443", from: "0.0.0.0/0"),
                            SecurityRule(protocol: "tcp", ports: "80", from: "0.0.0.0/0"),
                        ], egress: nil))),
            owned(
                Address(kind: .securityGroup, name: "web"),
                .securityGroup(
                    SecurityGroupSpec(
                        vpc: "main", description: "Web tier: 8080",
                        ingress: [
                            SecurityRule(protocol: "tcp", ports: "8000-8010", from: "security_group/lb"),
                            SecurityRule(protocol: "icmp", ports: nil, from: "10.0.0.0/16"),
                            SecurityRule(protocol: "udp", ports: "53", from: "10.0.1.0/24"),
                        ], egress: [SecurityRule(protocol: "all", ports: nil, to: "0.0.0.0/0")]))),
            owned(
                Address(kind: .securityGroup, name: "closed"),
                .securityGroup(
                    SecurityGroupSpec(
                        vpc: "main", description: "closed", ingress: [], egress: []))),
            owned(
                Address(kind: .role, name: "deployer"),
                .role(
                    RoleSpec(
                        path: "/ci/", description: "Deploys from CI", trust: trust, policies: ["read": policy]))),
            owned(Address(kind: .role, name: "bare"), .role(RoleSpec(trust: trust))),
        ],
        unmodeled: [
            UnmodeledRecord(zone: "example.com.", name: "@", type: "DS", ttl: 3600, values: ["12345 13 2 ABCDEF"])
        ])

    static func importedTree() throws -> MemoryTree {
        let documents = try Importer(provider: "main").documents(inventory)
        var files = ["Providers/main.yaml": "kind: embedded\n"]
        for (path, text) in documents { files["Desired/\(path)"] = text }
        return MemoryTree(files, stack: F.stack)
    }

    @Test("one document per zone and one for the network and IAM")
    func documentLayout() throws {
        let documents = try Importer(provider: "main").documents(Self.inventory)
        #expect(Set(documents.keys) == ["dns/example.com.yaml", "dns/example.org.yaml", "cloud/main.yaml"])
        #expect(try Importer(provider: "main").documents(Self.inventory) == documents, "the output is deterministic")
    }

    @Test("imported documents load back without diagnostics")
    func loadsBack() throws {
        let tree = try Self.importedTree()
        let diagnostics = try CoreFixtures.diagnostics(tree)
        #expect(diagnostics.isEmpty, "\(diagnostics)\n\(tree.files.values.joined(separator: "\n---\n"))")
    }

    @Test("imported documents declare exactly the inventory")
    func declaresInventory() throws {
        let desired = try DesiredStateLoader(environment: [:]).load(try Self.importedTree())
        #expect(Set(desired.resources.keys) == Set(Self.inventory.resources.keys))
        for (address, live) in Self.inventory.resources {
            #expect(desired.resources[address]?.spec == live.spec, "\(address)")
            #expect(desired.resources[address]?.provider == "main")
        }
    }

    @Test("imported documents plan to no changes against the same inventory")
    func plansToNothing() throws {
        let desired = try DesiredStateLoader(environment: [:]).load(try Self.importedTree())
        let plan = Planner(desired: desired).plan(inventories: ["main": Self.inventory], source: PlanSource())
        #expect(!plan.hasChanges, "\(plan.changes.map { "\($0.action) \($0.address) \($0.reason ?? "")" })")
        #expect(plan.conflicts.isEmpty)
        #expect(plan.summary.unchanged == Self.inventory.resources.count)
        #expect(plan.unmanaged == Self.inventory.unmodeled)
    }

    @Test("imported documents plan to no changes through a provider's describe")
    func plansToNothingThroughProvider() async throws {
        let state = FakeState()
        for resource in Self.inventory.resources.values { await state.seed(resource) }
        for record in Self.inventory.unmodeled { await state.seedUnmodeled(record) }
        let provider = FakeProvider(state: state)
        let imported = try Importer(provider: "main").documents(
            try await provider.describe(
                DescribeScope(
                    stack: F.stack, kinds: Set(ResourceKind.allCases), zones: ["example.com.", "example.org."])))
        var files = ["Providers/main.yaml": "kind: embedded\n"]
        for (path, text) in imported { files["Desired/\(path)"] = text }
        let desired = try DesiredStateLoader(environment: [:]).load(MemoryTree(files, stack: F.stack))
        let outcome = try await PlanPipeline(desired: desired, providers: ["main": provider], prior: PriorState()).run(source: PlanSource())
        #expect(!outcome.plan.hasChanges)
        #expect(outcome.plan.conflicts.isEmpty)
    }

    @Test("the zone default TTL is the most common one, so most records need no ttl:")
    func zoneTTL() throws {
        let documents = try Importer(provider: "main").documents(Self.inventory)
        let zone = try #require(documents["dns/example.com.yaml"])
        #expect(zone.contains("ttl: 3600"))
        #expect(zone.components(separatedBy: "ttl:").count - 1 == 4, "the zone's ttl plus www/A, www/AAAA and yes/A")
        let org = try #require(documents["dns/example.org.yaml"])
        #expect(org.contains("ttl: 120"))
    }

    @Test("unmodeled records are listed as not managed, as comments")
    func unmodeledAsComments() throws {
        let documents = try Importer(provider: "main").documents(Self.inventory)
        let zone = try #require(documents["dns/example.com.yaml"])
        let comments = zone.split(separator: "\n").filter { $0.hasPrefix("#") }
        #expect(comments.contains { $0.contains("DS") && $0.contains("12345 13 2 ABCDEF") })
    }

    @Test("a role whose trust policy uses the older 2008-10-17 policy language imports and loads back")
    func legacyPolicyVersion() throws {
        var legacy = Self.trust
        if case .object(var object) = legacy {
            object["Version"] = .string("2008-10-17")
            legacy = .object(object)
        }
        let inventory = F.inventory([Self.owned(Address(kind: .role, name: "old"), .role(RoleSpec(trust: legacy)))])
        var files = ["Providers/main.yaml": "kind: embedded\n"]
        for (path, text) in try Importer(provider: "main").documents(inventory) { files["Desired/\(path)"] = text }
        let diagnostics = try CoreFixtures.diagnostics(MemoryTree(files, stack: F.stack))
        #expect(diagnostics.isEmpty)
    }

    @Test("an empty inventory imports nothing")
    func emptyInventory() throws {
        #expect(try Importer(provider: "main").documents(Inventory()).isEmpty)
    }
}
