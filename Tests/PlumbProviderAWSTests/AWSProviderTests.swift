import Foundation
import PlumbCore
import PlumbProviderAWS
import PlumbTestSupport
import Testing

/// The AWS provider against a private moto server, checked with the AWS CLI (independent
/// of Plumb). Serialized: each test starts a server, and the CLI calls block a thread.
@Suite("AWS provider against a local AWS-compatible server", .serialized)
struct AWSProviderTests {
    @Test("a VPC, 6 subnets, 5 cross-referencing groups, 3 roles and a 200-record zone apply as written; a second plan is empty")
    func wholeStack() async throws {
        let server = try MotoServer()
        let desired = try AWSFixtures.load(
            server,
            [
                "network.yaml": AWSFixtures.network, "roles.yaml": AWSFixtures.roles, "dns.yaml": AWSFixtures.zone(),
            ])
        let provider = try AWSFixtures.provider(server, desired)
        let harness = ProviderHarness(desired: desired, provider: provider)
        let (plan, result) = try await harness.converge()
        #expect(plan.summary.create == 1 + 6 + 5 + 3 + 1 + 200)
        #expect(result.status == .succeeded, "\(result.error ?? "")")

        let second = try await harness.plan().plan
        #expect(second.changes.isEmpty, "\(second.changes.map { "\($0.action) \($0.address) \($0.reason ?? "")" })")
        #expect(second.conflicts.isEmpty)

        // Read back with the AWS CLI.
        let tagged = ["--filters", "Name=tag:plumb:stack,Values=\(AWSFixtures.stack)"]
        let vpcs = try list(server.awsJSON(["ec2", "describe-vpcs"] + tagged), "Vpcs")
        #expect(vpcs.count == 1)
        let vpc = try #require(vpcs.first)
        #expect(vpc["CidrBlock"] as? String == "10.20.0.0/16")
        #expect(tags(vpc) == ["Name": "main", "team": "platform", "plumb:stack": "test"])
        let vpcID = try #require(vpc["VpcId"] as? String)

        let subnets = try list(server.awsJSON(["ec2", "describe-subnets"] + tagged), "Subnets")
        var seenSubnets: [String: String] = [:]
        for subnet in subnets {
            #expect(subnet["VpcId"] as? String == vpcID)
            let name = tags(subnet)["Name"] ?? "?"
            seenSubnets[name] = "\(subnet["CidrBlock"] as? String ?? "") \(subnet["AvailabilityZone"] as? String ?? "")"
        }
        #expect(
            seenSubnets == [
                "web-a": "10.20.1.0/24 us-east-1a", "web-b": "10.20.2.0/24 us-east-1b", "web-c": "10.20.3.0/24 us-east-1c",
                "db-a": "10.20.11.0/24 us-east-1a", "db-b": "10.20.12.0/24 us-east-1b", "db-c": "10.20.13.0/24 us-east-1c",
            ])
        let dbC = subnets.first { tags($0)["Name"] == "db-c" }
        #expect(dbC.map(tags)?["tier"] == "data")

        let groups = try list(server.awsJSON(["ec2", "describe-security-groups"] + tagged), "SecurityGroups")
        #expect(Set(groups.compactMap { $0["GroupName"] as? String }) == ["lb", "web", "app", "db", "monitoring"])
        let groupNames = Dictionary(
            uniqueKeysWithValues: groups.compactMap { group in
                (group["GroupId"] as? String).map { ($0, group["GroupName"] as? String ?? "") }
            })
        var rules: [String: Set<String>] = [:]
        for group in groups {
            let name = group["GroupName"] as? String ?? "?"
            #expect(group["VpcId"] as? String == vpcID)
            #expect(tags(group)["plumb:stack"] == "test")
            rules[name] = cliRules(group, groupNames: groupNames)
        }
        #expect(rules["lb"] == ["in tcp 443-443 0.0.0.0/0", "in tcp 80-80 0.0.0.0/0", "out -1 0.0.0.0/0"])
        #expect(rules["web"] == ["in tcp 8080-8080 lb", "in tcp 22-22 10.20.1.0/24", "out -1 0.0.0.0/0"])
        #expect(rules["app"] == ["in tcp 9000-9010 web", "out tcp 5432-5432 db", "out tcp 443-443 0.0.0.0/0"])
        #expect(rules["db"] == ["in tcp 5432-5432 app", "in tcp 5432-5432 10.20.11.0/24"])
        #expect(rules["monitoring"] == ["in icmp -1--1 10.20.0.0/16", "in udp 161-161 10.20.2.0/24", "out -1 0.0.0.0/0"])

        for (name, path, policies) in [
            ("deployer", "/ci/", ["read-artifacts", "write-logs"]), ("reader", "/", ["read-only"]), ("lambda-exec", "/service/", ["queue"]),
        ] {
            let role = try #require(try server.awsJSON(["iam", "get-role", "--role-name", name]) as? [String: Any])["Role"] as? [String: Any]
            #expect(role?["Path"] as? String == path)
            let roleTags = (role?["Tags"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) {
                $0[$1["Key"] as? String ?? ""] = $1["Value"] as? String
            }
            #expect(roleTags["plumb:stack"] == "test", "\(name)")
            let listed = try #require(try server.awsJSON(["iam", "list-role-policies", "--role-name", name]) as? [String: Any])
            #expect((listed["PolicyNames"] as? [String] ?? []).sorted() == policies)
            guard case .role(let spec)? = desired.resources[Address(kind: .role, name: name)]?.spec else {
                Issue.record("no desired role \(name)")
                continue
            }
            let trust = try JSONValue.decoded(from: role?["AssumeRolePolicyDocument"] ?? [:])
            #expect(PolicyDocument.canonical(trust) == spec.trust, "\(name) trust")
            for policy in policies {
                let answer = try #require(
                    try server.awsJSON(["iam", "get-role-policy", "--role-name", name, "--policy-name", policy]) as? [String: Any])
                let document = try JSONValue.decoded(from: answer["PolicyDocument"] ?? [:])
                #expect(PolicyDocument.canonical(document) == spec.policies[policy], "\(name)/\(policy)")
            }
        }

        let zones = try list(server.awsJSON(["route53", "list-hosted-zones"]), "HostedZones")
        #expect(zones.compactMap { $0["Name"] as? String } == ["example.test."])
        let zoneID = try #require(zones.first?["Id"] as? String)
        let sets = try list(server.awsJSON(["route53", "list-resource-record-sets", "--hosted-zone-id", zoneID]), "ResourceRecordSets")
        let managed = sets.filter { set in
            let type = set["Type"] as? String
            return type != "SOA" && !(type == "NS" && set["Name"] as? String == "example.test.")
        }
        #expect(managed.count == 200)
        func values(_ name: String, _ type: String) -> (Int?, [String])? {
            guard let set = sets.first(where: { $0["Name"] as? String == name && $0["Type"] as? String == type }) else { return nil }
            return (set["TTL"] as? Int, (set["ResourceRecords"] as? [[String: Any]] ?? []).compactMap { $0["Value"] as? String }.sorted())
        }
        #expect(values("www.example.test.", "A").map { "\($0.0 ?? 0) \($0.1)" } == "60 [\"192.0.2.10\", \"192.0.2.11\"]")
        #expect(values("example.test.", "TXT")?.1 == ["\"say \\\"hi\\\"\"", "\"v=spf1 -all\""])
        // AWS lists a wildcard as \052; moto as written.
        #expect((values("\\052.dev.example.test.", "A") ?? values("*.dev.example.test.", "A"))?.1 == ["192.0.2.250"])
        #expect(values("caa.example.test.", "CAA")?.1 == ["0 issue \"letsencrypt.org\""])
        #expect(values("h2.example.test.", "CNAME")?.1 == ["www.example.test."])
    }

    @Test("a rule added by hand is drift; one apply removes it with one Revoke call and nothing else")
    func handAddedRule() async throws {
        let server = try MotoServer()
        let desired = try AWSFixtures.load(server, ["network.yaml": AWSFixtures.network])
        let provider = try AWSFixtures.provider(server, desired)
        let harness = ProviderHarness(desired: desired, provider: provider)
        #expect(try await harness.converge().result.status == .succeeded)

        let web = try #require(
            try list(server.awsJSON(["ec2", "describe-security-groups", "--filters", "Name=group-name,Values=web"]), "SecurityGroups").first)
        let groupID = try #require(web["GroupId"] as? String)
        _ = try server.awsJSON([
            "ec2", "authorize-security-group-ingress", "--group-id", groupID, "--protocol", "tcp", "--port", "3306", "--cidr", "203.0.113.0/24",
        ])

        let (plan, scope) = try await harness.plan()
        #expect(plan.changes.map(\.address) == [Address(kind: .securityGroup, name: "web")])
        #expect(plan.changes.first?.action == .update)
        #expect(plan.changes.first?.reason == "ingress")

        let before = provider.operationCounts
        let result = await harness.apply(plan, scope: scope)
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        var writes: [String: Int] = [:]
        for (operation, count) in provider.operationCounts where !operation.hasPrefix("Describe") {
            let sent = count - (before[operation] ?? 0)
            if sent > 0 { writes[operation] = sent }
        }
        #expect(writes == ["RevokeSecurityGroupIngress": 1])

        let after = try #require(try list(server.awsJSON(["ec2", "describe-security-groups", "--group-ids", groupID]), "SecurityGroups").first)
        let names = [groupID: "web"].merging(try groupIDs(server)) { first, _ in first }
        #expect(cliRules(after, groupNames: names) == ["in tcp 8080-8080 lb", "in tcp 22-22 10.20.1.0/24", "out -1 0.0.0.0/0"])
        #expect(try await harness.plan().plan.changes.isEmpty)
    }

    @Test("an untagged subnet with a desired name is a conflict, not an overwrite; --adopt takes it over")
    func adoptUntaggedSubnet() async throws {
        let server = try MotoServer()
        let vpcOnly = "provider: cloud\nvpcs:\n  main: {cidr: 10.30.0.0/16}\n"
        let first = try AWSFixtures.load(server, ["network.yaml": vpcOnly])
        let provider = try AWSFixtures.provider(server, first)
        #expect(try await ProviderHarness(desired: first, provider: provider).converge().result.status == .succeeded)
        let vpcID = try #require(
            try list(server.awsJSON(["ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=main"]), "Vpcs").first?["VpcId"] as? String)
        let made = try #require(
            try server.awsJSON([
                "ec2", "create-subnet", "--vpc-id", vpcID, "--cidr-block", "10.30.1.0/24", "--availability-zone", "us-east-1a",
                "--tag-specifications", "ResourceType=subnet,Tags=[{Key=Name,Value=web-a},{Key=owner,Value=hand}]",
            ]) as? [String: Any])
        let subnetID = try #require((made["Subnet"] as? [String: Any])?["SubnetId"] as? String)

        let desired = try AWSFixtures.load(
            server, ["network.yaml": vpcOnly + "subnets:\n  web-a: {vpc: main, cidr: 10.30.1.0/24, zone: us-east-1a}\n"])
        let harness = ProviderHarness(desired: desired, provider: provider)
        let conflicted = try await harness.plan().plan
        #expect(conflicted.changes.isEmpty)
        #expect(conflicted.conflicts.map(\.address) == [Address(kind: .subnet, name: "web-a")])
        #expect(conflicted.conflicts.first?.reason.contains("--adopt") == true)

        let adopted = try await harness.converge(PlanOptions(adopt: [Address(kind: .subnet, name: "web-a")]))
        #expect(adopted.plan.changes.map(\.action) == [.update])
        #expect(adopted.result.status == .succeeded, "\(adopted.result.error ?? "")")
        let subnets = try list(server.awsJSON(["ec2", "describe-subnets", "--filters", "Name=tag:Name,Values=web-a"]), "Subnets")
        #expect(subnets.count == 1)
        #expect(subnets.first?["SubnetId"] as? String == subnetID)
        // Taken over: now the stack's; the hand-made tag is not in the document, so it goes.
        #expect(subnets.first.map(tags) == ["Name": "web-a", "plumb:stack": "test"])
        #expect(try await harness.plan().plan.changes.isEmpty)
    }

    @Test("500 subnets and 500 security groups: describe is a handful of filtered calls, not one per resource")
    func describeAtScale() async throws {
        let server = try MotoServer()
        var document = "provider: cloud\nvpcs:\n  big: {cidr: 10.40.0.0/16}\nsubnets:\n"
        for index in 0..<500 {
            document += "  s\(index): {vpc: big, cidr: 10.40.\(index / 4).\((index % 4) * 64)/26, zone: us-east-1a}\n"
        }
        document += "security_groups:\n"
        for index in 0..<500 {
            document +=
                "  g\(index): {vpc: big, description: group \(index), ingress: [{protocol: tcp, ports: \(1000 + index), from: 10.40.0.0/16}]}\n"
        }
        let desired = try AWSFixtures.load(server, ["big.yaml": document], chunkSize: 500, rateLimit: 2000)
        let provider = try AWSFixtures.provider(server, desired)
        let harness = ProviderHarness(desired: desired, provider: provider)
        let applied = try await harness.converge()
        #expect(applied.result.status == .succeeded, "\(applied.result.error ?? "")")

        let before = provider.operationCounts
        let (plan, _) = try await harness.plan()
        let describes = ["DescribeVpcs", "DescribeSubnets", "DescribeSecurityGroups"]
        let byOperation = describes.map { "\($0) \((provider.operationCounts[$0] ?? 0) - (before[$0] ?? 0))" }
        let calls = describes.reduce(0) { $0 + (provider.operationCounts[$1] ?? 0) - (before[$1] ?? 0) }
        #expect(plan.changes.isEmpty)
        #expect(plan.summary.unchanged == 1001)
        // Per kind: the stack's own (one filtered call) plus the desired names in slices of
        // 200 (three calls for 500): 2 + 4 + 4. moto ignores MaxResults, so pagination has a
        // unit test of its own.
        #expect(calls <= 10, "describe took \(calls) calls: \(byOperation)")
    }

    // MARK: CLI output helpers

    private func list(_ json: Any, _ key: String) throws -> [[String: Any]] {
        try #require((json as? [String: Any])?[key] as? [[String: Any]], "no \(key) in \(json)")
    }

    private func tags(_ item: [String: Any]) -> [String: String] {
        (item["Tags"] as? [[String: Any]] ?? []).reduce(into: [:]) { $0[$1["Key"] as? String ?? ""] = $1["Value"] as? String }
    }

    private func groupIDs(_ server: MotoServer) throws -> [String: String] {
        let groups = try list(server.awsJSON(["ec2", "describe-security-groups"]), "SecurityGroups")
        return Dictionary(
            groups.compactMap { group in (group["GroupId"] as? String).map { ($0, group["GroupName"] as? String ?? "") } },
            uniquingKeysWith: { first, _ in first })
    }

    /// "in tcp 443-443 0.0.0.0/0", "out -1 0.0.0.0/0", "in tcp 8080-8080 lb" (a group by name).
    private func cliRules(_ group: [String: Any], groupNames: [String: String]) -> Set<String> {
        var rules = Set<String>()
        for (direction, key) in [("in", "IpPermissions"), ("out", "IpPermissionsEgress")] {
            for permission in group[key] as? [[String: Any]] ?? [] {
                let proto = permission["IpProtocol"] as? String ?? "?"
                let ports = proto == "-1" ? "" : " \(permission["FromPort"] as? Int ?? 0)-\(permission["ToPort"] as? Int ?? 0)"
                for range in permission["IpRanges"] as? [[String: Any]] ?? [] {
                    rules.insert("\(direction) \(proto)\(ports) \(range["CidrIp"] as? String ?? "")")
                }
                for pair in permission["UserIdGroupPairs"] as? [[String: Any]] ?? [] {
                    let id = pair["GroupId"] as? String ?? ""
                    rules.insert("\(direction) \(proto)\(ports) \(groupNames[id] ?? id)")
                }
            }
        }
        return rules
    }
}

extension JSONValue {
    /// A value the CLI printed, as Plumb's JSON value.
    static func decoded(from object: Any) throws -> JSONValue {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed])
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }
}
