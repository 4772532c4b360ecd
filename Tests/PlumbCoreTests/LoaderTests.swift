import PlumbTestSupport
import Testing

@testable import PlumbCore

@Suite("DesiredStateLoader")
struct LoaderTests {
    static let zone = """
        provider: main
        zone: Example.COM.
        ttl: 600
        records:
          "@":
            - type: MX
              values: ["10 Mail.Example.com.", "20 mail2.example.com."]
            - type: TXT
              values: ["v=spf1 -all"]
          www:
            - type: A
              ttl: 300
              values: [192.0.2.11, 192.0.2.10]
            - type: AAAA
              values: ["2001:DB8:0:0::10"]
          api:
            type: CNAME
            value: WWW.example.com.
          "*.dev":
            type: A
            value: 192.0.2.99
          _sip._tcp:
            type: SRV
            value: "10 60 5060 sip.example.com."
        """

    static let network = """
        provider: main
        vpcs:
          main:
            cidr: 10.0.0.0/16
            tags: {team: platform}
            protect: true
        subnets:
          web-a: {vpc: main, cidr: 10.0.1.0/24, zone: us-east-1a}
          db-a:  {vpc: main, cidr: 10.0.2.0/24, zone: us-east-1a}
        security_groups:
          web:
            vpc: main
            description: Web tier
            ingress:
              - {protocol: tcp, ports: 443, from: 0.0.0.0/0}
              - {protocol: tcp, ports: 8000-8010, from: subnet/web-a}
          db:
            vpc: main
            ingress:
              - {protocol: TCP, ports: 5432, from: security_group/web}
            egress:
              - {protocol: all, to: 0.0.0.0/0}
        """

    static let checks = """
        checks:
          www-resolves:
            after: dns.record/example.com./*
            dns: {name: www.example.com., type: A, server: "127.0.0.1:5353", expect: [192.0.2.10, 192.0.2.11]}
            timeout: 5s
          api-up:
            http: {url: "http://127.0.0.1:8080/healthz", status: 200, contains: ok}
          db-port:
            tcp: {host: 127.0.0.1, port: 5432}
          smoke:
            after: [net.vpc/*, net.subnet/*]
            command: ["./scripts/smoke", "--quick"]
            timeout: 500ms
        """

    func loaded() throws -> DesiredState {
        try Fixtures.load(["dns/example.com.yaml": Self.zone, "network/main.yaml": Self.network, "checks.yaml": Self.checks])
    }

    @Test("a valid repository loads every resource with its address")
    func loadsEveryResource() throws {
        let state = try loaded()
        let addresses = Set(state.resources.keys.map(\.description))
        #expect(
            addresses == [
                "dns.zone/example.com.",
                "dns.record/example.com./@/MX", "dns.record/example.com./@/TXT",
                "dns.record/example.com./www/A", "dns.record/example.com./www/AAAA",
                "dns.record/example.com./api/CNAME", "dns.record/example.com./*.dev/A",
                "dns.record/example.com./_sip._tcp/SRV",
                "net.vpc/main", "net.subnet/web-a", "net.subnet/db-a",
                "net.security_group/web", "net.security_group/db",
            ])
        #expect(state.resources.values.allSatisfy { $0.provider == "main" })
        #expect(state.zones(of: "main") == ["example.com."])
        #expect(state.providers["main"]?.type == .embedded)
    }

    @Test("record values are canonical and TTLs default to the zone's")
    func recordValuesAndTTLs() throws {
        let state = try loaded()
        func spec(_ address: String) -> RecordSpec? {
            if case .record(let spec)? = state.resources[Address(address)!]?.spec { return spec }
            return nil
        }
        #expect(spec("dns.record/example.com./www/A") == RecordSpec(ttl: 300, values: ["192.0.2.10", "192.0.2.11"]))
        #expect(spec("dns.record/example.com./www/AAAA") == RecordSpec(ttl: 600, values: ["2001:db8::10"]))
        #expect(spec("dns.record/example.com./@/MX")?.values == ["10 mail.example.com.", "20 mail2.example.com."])
        #expect(spec("dns.record/example.com./api/CNAME")?.values == ["www.example.com."])
        #expect(spec("dns.record/example.com./@/TXT")?.values == ["v=spf1 -all"])
        #expect(spec("dns.record/example.com./_sip._tcp/SRV")?.ttl == 600)
    }

    @Test("a zone without ttl: gives its records 3600")
    func defaultZoneTTL() throws {
        let state = try Fixtures.load(["z.yaml": "provider: main\nzone: example.org.\nrecords:\n  www: {type: A, value: 192.0.2.1}\n"])
        guard case .record(let spec)? = state.resources[.record(zone: "example.org.", name: "www", type: .A)]?.spec else {
            Issue.record("www/A not loaded")
            return
        }
        #expect(spec.ttl == 3600)
    }

    @Test("network resources load, with subnet rule peers resolved to the subnet's CIDR")
    func networkResources() throws {
        let state = try loaded()
        let vpc = try #require(state.resources[Address(kind: .vpc, name: "main")])
        #expect(vpc.spec == .vpc(VPCSpec(cidr: "10.0.0.0/16", tags: ["team": "platform"])))
        #expect(vpc.protect)
        #expect(
            state.resources[Address(kind: .subnet, name: "web-a")]?.spec
                == .subnet(SubnetSpec(vpc: "main", cidr: "10.0.1.0/24", zone: "us-east-1a")))
        guard case .securityGroup(let web)? = state.resources[Address(kind: .securityGroup, name: "web")]?.spec,
            case .securityGroup(let db)? = state.resources[Address(kind: .securityGroup, name: "db")]?.spec
        else {
            Issue.record("security groups not loaded")
            return
        }
        #expect(web.description == "Web tier")
        #expect(
            Set(web.ingress) == [
                SecurityRule(protocol: "tcp", ports: "443", from: "0.0.0.0/0"),
                SecurityRule(protocol: "tcp", ports: "8000-8010", from: "10.0.1.0/24"),
            ])
        #expect(web.egress == nil, "a group without egress: keeps the provider default")
        #expect(db.description == "db", "the description defaults to the group's name")
        #expect(db.ingress == [SecurityRule(protocol: "tcp", ports: "5432", from: "security_group/web")])
        #expect(db.egress == [SecurityRule(protocol: "all", ports: nil, to: "0.0.0.0/0")])
        #expect(db.referencedGroups == ["web"])
    }

    @Test("egress: [] means no egress at all, unlike an absent egress:")
    func emptyEgress() throws {
        let state = try Fixtures.load([
            "n.yaml": """
            provider: main
            vpcs:
              main: {cidr: 10.0.0.0/16}
            security_groups:
              closed: {vpc: main, egress: []}
            """
        ])
        guard case .securityGroup(let group)? = state.resources[Address(kind: .securityGroup, name: "closed")]?.spec else {
            Issue.record("group not loaded")
            return
        }
        #expect(group.egress == [])
    }

    @Test("checks load with their probes, after: globs and timeouts")
    func checks() throws {
        let state = try loaded()
        let byName = Dictionary(uniqueKeysWithValues: state.checks.map { ($0.name, $0) })
        #expect(byName.count == 4)
        #expect(byName["www-resolves"]?.after == ["dns.record/example.com./*"])
        #expect(byName["www-resolves"]?.timeout == .seconds(5))
        #expect(
            byName["www-resolves"]?.probe == .dns(name: "www.example.com.", type: .A, server: "127.0.0.1:5353", expect: ["192.0.2.10", "192.0.2.11"]))
        #expect(byName["api-up"]?.after == ["*"])
        #expect(byName["api-up"]?.timeout == .seconds(10))
        #expect(byName["api-up"]?.probe == .http(url: "http://127.0.0.1:8080/healthz", status: 200, contains: "ok"))
        #expect(byName["db-port"]?.probe == .tcp(host: "127.0.0.1", port: 5432))
        #expect(byName["smoke"]?.probe == .command(["./scripts/smoke", "--quick"]))
        #expect(byName["smoke"]?.after == ["net.vpc/*", "net.subnet/*"])
        #expect(byName["smoke"]?.timeout == .milliseconds(500))
        #expect(byName["smoke"]?.location == SourceLocation(file: "Desired/checks.yaml", line: 10, column: 3))
    }

    @Test("resources remember where they were declared")
    func locations() throws {
        let state = try loaded()
        #expect(
            state.resources[Address(kind: .subnet, name: "db-a")]?.location
                == SourceLocation(file: "Desired/network/main.yaml", line: 9, column: 3))
        #expect(
            state.resources[.record(zone: "example.com.", name: "api", type: .CNAME)]?.location
                == SourceLocation(file: "Desired/dns/example.com.yaml", line: 17, column: 5))
    }

    @Test("several documents in one file all load")
    func multiDocumentFile() throws {
        let state = try Fixtures.load([
            "all.yaml": """
            provider: main
            zone: a.example.
            records:
              www: {type: A, value: 192.0.2.1}
            ---
            provider: main
            zone: b.example.
            """
        ])
        #expect(state.zones(of: "main") == ["a.example.", "b.example."])
    }

    @Test("plumb.yaml sets the stack, chunking and safety limits")
    func settings() throws {
        let tree = Fixtures.tree(["n.yaml": "provider: main\nvpcs:\n  main: {cidr: 10.0.0.0/16}\n"])
            .with(
                "plumb.yaml",
                """
                stack: production
                chunking:
                  max_changes: 5
                  by: provider
                safety:
                  max_changes: 100
                  max_deletes: 3
                  max_delete_percent: 12.5
                """)
        let state = try DesiredStateLoader(environment: [:]).load(tree)
        #expect(state.settings.stack == "production")
        #expect(state.settings.chunkSize == 5)
        #expect(state.settings.chunkBy == .provider)
        #expect(state.settings.safety.maxChanges == 100)
        #expect(state.settings.safety.maxDeletes == 3)
        #expect(state.settings.safety.maxDeletePercent == 12.5)
    }

    @Test("plumb.yaml sets progressive chunking, canaries and on_failure (SPEC §8.5)")
    func progressiveSettings() throws {
        let tree = Fixtures.tree(["n.yaml": "provider: main\nvpcs:\n  main: {cidr: 10.0.0.0/16}\n"])
            .with(
                "plumb.yaml",
                """
                chunking:
                  strategy: fixed
                  first: 4
                  max_changes: 50
                  canary: [dns.record/example.com./canary/*, "net.subnet/web-*"]
                on_failure: revert
                """)
        let state = try DesiredStateLoader(environment: [:]).load(tree)
        #expect(state.settings.chunkStrategy == .fixed)
        #expect(state.settings.chunkFirst == 4)
        #expect(state.settings.chunkSize == 50)
        #expect(state.settings.canary == ["dns.record/example.com./canary/*", "net.subnet/web-*"])
        #expect(state.settings.onFailure == .revert)
    }

    @Test("a wrong chunking strategy or on_failure names the file, line and column")
    func wrongProgressiveSettings() throws {
        let tree = Fixtures.tree(["n.yaml": "provider: main\nvpcs:\n  main: {cidr: 10.0.0.0/16}\n"])
            .with("plumb.yaml", "chunking:\n  strategy: doubling\non_failure: rollback\n")
        let error = try #require(throws: DiagnosticsError.self) { try DesiredStateLoader(environment: [:]).load(tree) }
        let messages = error.diagnostics.map(\.message)
        #expect(messages.contains("chunking.strategy must be progressive or fixed, not 'doubling'"))
        #expect(messages.contains("on_failure must be stop or revert, not 'rollback'"))
        #expect(error.diagnostics.map(\.location?.line).contains(2))
    }

    @Test("without plumb.yaml the stack is named after the folder, with defaults")
    func defaultSettings() throws {
        let tree = MemoryTree(
            ["Providers/main.yaml": "kind: embedded\n", "Desired/n.yaml": "provider: main\nvpcs:\n  main: {cidr: 10.0.0.0/16}\n"],
            stack: "my repo")
        let state = try DesiredStateLoader(environment: [:]).load(tree)
        #expect(state.settings.stack == "my-repo")
        #expect(state.settings.chunkSize == 500)
        #expect(state.settings.chunkStrategy == .progressive)
        #expect(state.settings.chunkFirst == 1)
        #expect(state.settings.onFailure == .stop)
        #expect(state.settings.canary.isEmpty)
        #expect(state.settings.chunkBy == .kind)
        #expect(state.settings.safety == SafetyLimits())
    }

    @Test("provider bindings read their settings, rate limits and secrets")
    func providerBindings() throws {
        let tree = Fixtures.tree(["z.yaml": "provider: dns\nzone: example.com.\n"])
            .with(
                "Providers/dns.yaml",
                """
                kind: powerdns
                url: http://127.0.0.1:8081
                api_key: ${PDNS_API_KEY}
                rate_limit: 7.5
                concurrency: 2
                """
            )
            .with("Providers/cloud.yaml", "kind: aws\nregion: us-east-1\nendpoint: ${AWS_ENDPOINT_URL:-}\n")
        let state = try DesiredStateLoader(environment: ["PDNS_API_KEY": "s3cret"]).load(tree)
        let dns = try #require(state.providers["dns"])
        #expect(dns.type == .powerdns)
        #expect(dns.settings["api_key"] == "s3cret")
        #expect(dns.settings["url"] == "http://127.0.0.1:8081")
        #expect(dns.secretKeys == ["api_key"])
        #expect(dns.rateLimit == 7.5)
        #expect(dns.concurrency == 2)
        let cloud = try #require(state.providers["cloud"])
        #expect(cloud.type == .aws)
        #expect(cloud.settings["endpoint"] == "")
        #expect(cloud.rateLimit == 5, "Route 53's documented limit is the default")
        #expect(cloud.concurrency == 8)
        #expect(state.providers["main"]?.type == .embedded)
    }

    @Test("a document of checks alone names no provider")
    func checksOnlyDocument() throws {
        let state = try Fixtures.load(["checks.yaml": "checks:\n  smoke:\n    command: [true]\n"])
        #expect(state.resources.isEmpty)
        #expect(state.checks.map(\.name) == ["smoke"])
    }

    @Test("IAM roles load with canonical policy documents")
    func roles() throws {
        let state = try Fixtures.load([
            "iam.yaml": """
            provider: main
            roles:
              deployer:
                description: Deploys from CI
                path: /ci/
                trust:
                  Version: "2012-10-17"
                  Statement:
                    - Effect: Allow
                      Principal: {Service: ec2.amazonaws.com}
                      Action: sts:AssumeRole
                policies:
                  read:
                    Version: "2012-10-17"
                    Statement:
                      - {Effect: Allow, Action: ["s3:GetObject"], Resource: "arn:aws:s3:::artifacts/*"}
            """
        ])
        guard case .role(let role)? = state.resources[Address(kind: .role, name: "deployer")]?.spec else {
            Issue.record("role not loaded")
            return
        }
        #expect(role.path == "/ci/")
        #expect(role.description == "Deploys from CI")
        #expect(role.trust["Statement"]?["Action"] == .string("sts:AssumeRole"))
        #expect(role.policies["read"]?["Statement"]?["Action"] == .string("s3:GetObject"))
    }
}
