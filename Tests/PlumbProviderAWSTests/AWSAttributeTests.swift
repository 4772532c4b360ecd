import Foundation
import PlumbCore
import PlumbProviderAWS
import PlumbTestSupport
import Testing

/// The attributes real accounts carry (SPEC §8.8) against a private moto server, read back
/// with the AWS CLI: IPv6 rule peers, rule descriptions, managed policies, a permissions
/// boundary and a session duration.
@Suite("AWS attributes: IPv6 rules, rule descriptions, managed policies, boundaries", .serialized)
struct AWSAttributeTests {
    static let account = "123456789012"

    static func arn(_ name: String) -> String { "arn:aws:iam::\(account):policy/\(name)" }

    static let trust = """
        {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: "sts:AssumeRole"}]}
        """

    static func network(webDescription: String = "public HTTPS over IPv6") -> String {
        """
        provider: cloud
        vpcs:
          main: {cidr: 10.40.0.0/16}
        security_groups:
          lb:
            vpc: main
            description: Load balancers
            ingress:
              - {protocol: tcp, ports: 443, from: "::/0", description: \(webDescription)}
              - {protocol: tcp, ports: 443, from: 0.0.0.0/0, description: public HTTPS}
              - {protocol: tcp, ports: 22, from: "2001:db8::/32"}
          web:
            vpc: main
            description: Web tier
            ingress:
              - {protocol: tcp, ports: 8080, from: security_group/lb, description: from the load balancers}
            egress:
              - {protocol: tcp, ports: 443, to: "::/0", description: package updates}
              - {protocol: tcp, ports: 443, to: 0.0.0.0/0}
        """
    }

    static let roles = """
        provider: cloud
        roles:
          deployer:
            description: Deploys the web tier
            trust: \(trust)
            policies:
              logs: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "logs:PutLogEvents", Resource: "*"}]}
            managed_policies: [\(arn("plumb-read")), \(arn("plumb-logs"))]
            permissions_boundary: \(arn("plumb-boundary"))
            max_session_duration: 2h
          reader:
            trust: \(trust)
            managed_policies: [\(arn("plumb-read"))]
        """

    /// Customer-managed policies for the roles to attach (moto has AWS's own only when asked).
    static func createPolicies(_ server: MotoServer) throws {
        let document = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#
        for name in ["plumb-read", "plumb-logs", "plumb-boundary", "plumb-extra"] {
            _ = try server.awsJSON(["iam", "create-policy", "--policy-name", name, "--policy-document", document])
        }
    }

    @Test(
        "IPv6 rules with descriptions, two roles with managed and inline policies, a boundary and a session duration: applied as written, a second plan is empty, a description edit is made in place, an import plans back to nothing"
    )
    func dualStackAndRoles() async throws {
        let server = try MotoServer()
        try Self.createPolicies(server)
        let desired = try AWSFixtures.load(server, ["network.yaml": Self.network(), "roles.yaml": Self.roles])
        let provider = try AWSFixtures.provider(server, desired)
        let harness = ProviderHarness(desired: desired, provider: provider)
        let (plan, result) = try await harness.converge()
        #expect(plan.summary.create == 1 + 2 + 2)
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        let second = try await harness.plan().plan
        #expect(second.changes.isEmpty, "\(second.changes.map { "\($0.action) \($0.address) \($0.reason ?? "")" })")

        // Read back with the AWS CLI.
        let groups = try Self.list(
            server.awsJSON(["ec2", "describe-security-groups", "--filters", "Name=tag:plumb:stack,Values=\(AWSFixtures.stack)"]), "SecurityGroups")
        let lb = try #require(groups.first { $0["GroupName"] as? String == "lb" })
        #expect(
            Self.peers(lb["IpPermissions"]) == [
                "tcp 443 ::/0 public HTTPS over IPv6", "tcp 443 0.0.0.0/0 public HTTPS", "tcp 22 2001:db8::/32 -",
            ])
        let web = try #require(groups.first { $0["GroupName"] as? String == "web" })
        #expect(Self.peers(web["IpPermissionsEgress"]) == ["tcp 443 ::/0 package updates", "tcp 443 0.0.0.0/0 -"])
        let fromLB = (web["IpPermissions"] as? [[String: Any]])?.first?["UserIdGroupPairs"] as? [[String: Any]]
        #expect(fromLB?.first?["Description"] as? String == "from the load balancers")

        let deployer = try #require(
            (try server.awsJSON(["iam", "get-role", "--role-name", "deployer"]) as? [String: Any])?["Role"] as? [String: Any])
        #expect(deployer["MaxSessionDuration"] as? Int == 7200)
        #expect((deployer["PermissionsBoundary"] as? [String: Any])?["PermissionsBoundaryArn"] as? String == Self.arn("plumb-boundary"))
        #expect(try Self.attached(server, "deployer") == [Self.arn("plumb-logs"), Self.arn("plumb-read")])
        #expect(try Self.attached(server, "reader") == [Self.arn("plumb-read")])
        let readerRole = try #require(
            (try server.awsJSON(["iam", "get-role", "--role-name", "reader"]) as? [String: Any])?["Role"] as? [String: Any])
        #expect(readerRole["MaxSessionDuration"] as? Int == 3600 && readerRole["PermissionsBoundary"] == nil)

        // A description alone changes in place: one call, the rule never revoked.
        let edited = try AWSFixtures.load(server, ["network.yaml": Self.network(webDescription: "HTTPS for IPv6 clients"), "roles.yaml": Self.roles])
        let editHarness = ProviderHarness(desired: edited, provider: provider)
        let (editPlan, scope) = try await editHarness.plan()
        #expect(editPlan.changes.map(\.address) == [Address(kind: .securityGroup, name: "lb")])
        let before = provider.operationCounts
        #expect(await editHarness.apply(editPlan, scope: scope).status == .succeeded)
        #expect(Self.writes(provider, since: before) == ["UpdateSecurityGroupRuleDescriptionsIngress": 1])
        #expect(try await editHarness.plan().plan.changes.isEmpty)

        // The account imported back: its documents plan to no changes.
        let inventory = try await provider.describe(
            DescribeScope(
                stack: AWSFixtures.stack, kinds: [.vpc, .subnet, .securityGroup, .role], everything: true))
        let documents = try Importer(provider: "cloud").documents(inventory)
        let imported = try #require(documents.values.first { $0.contains("roles:") })
        #expect(imported.contains("max_session_duration: 2h") && imported.contains("permissions_boundary:"))
        #expect(imported.contains("description: \"HTTPS for IPv6 clients\""))
        var files = [String: String]()
        for (path, text) in documents { files[path] = text }
        let reloaded = try AWSFixtures.load(server, files)
        let importPlan = try await ProviderHarness(desired: reloaded, provider: provider).plan().plan
        let mine = importPlan.changes.filter { change in
            ["main", "lb", "web", "deployer", "reader"].contains(change.address.name)
        }
        #expect(mine.isEmpty, "\(mine.map { "\($0.action) \($0.address) \($0.reason ?? "")" })")
    }

    static func dualStack(hostnames: Bool = true, webB: String = "ipv6_index: 2, assign_ipv6_on_creation: true") -> String {
        """
        provider: cloud
        vpcs:
          main: {cidr: 10.50.0.0/16, ipv6: true, dns_hostnames: \(hostnames)}
        subnets:
          web-a: {vpc: main, cidr: 10.50.1.0/24, zone: us-east-1a, ipv6_index: 1, map_public_ip_on_launch: true, assign_ipv6_on_creation: true}
          web-b: {vpc: main, cidr: 10.50.2.0/24, zone: us-east-1b, \(webB)}
          db-a: {vpc: main, cidr: 10.50.11.0/24, zone: us-east-1a, ipv6_index: 11}
          db-b: {vpc: main, cidr: 10.50.12.0/24, zone: us-east-1b}
        security_groups:
          web:
            vpc: main
            description: Web tier
            ingress:
              - {protocol: tcp, ports: 443, from: "::/0", description: public HTTPS over IPv6}
              - {protocol: tcp, ports: 22, from: subnet/web-a, description: from web-a}
              - {protocol: tcp, ports: 5432, from: subnet/db-b}
            egress:
              - {protocol: tcp, ports: 443, to: "::/0"}
        """
    }

    @Test(
        "a dual-stack VPC with four subnets: the VPC's /56, each subnet's /64 by number, DNS and launch settings as written; a second plan is empty; edits change only what differs"
    )
    func dualStackNetwork() async throws {
        let server = try MotoServer()
        let desired = try AWSFixtures.load(server, ["network.yaml": Self.dualStack()])
        let provider = try AWSFixtures.provider(server, desired)
        let harness = ProviderHarness(desired: desired, provider: provider)
        let (plan, result) = try await harness.converge()
        #expect(plan.summary.create == 1 + 4 + 1)
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        let second = try await harness.plan().plan
        #expect(second.changes.isEmpty, "\(second.changes.map { "\($0.action) \($0.address) \($0.reason ?? "")" })")

        let tagged = ["--filters", "Name=tag:plumb:stack,Values=\(AWSFixtures.stack)"]
        let vpc = try #require(try Self.list(server.awsJSON(["ec2", "describe-vpcs"] + tagged), "Vpcs").first)
        let vpcID = try #require(vpc["VpcId"] as? String)
        let blockText = try #require((vpc["Ipv6CidrBlockAssociationSet"] as? [[String: Any]])?.first?["Ipv6CidrBlock"] as? String)
        let block = try #require(IPv6CIDR(blockText))
        #expect(block.prefix == 56)
        #expect(try Self.vpcAttribute(server, vpcID, "enableDnsHostnames") == true)
        #expect(try Self.vpcAttribute(server, vpcID, "enableDnsSupport") == true)
        var subnets: [String: String] = [:]
        for subnet in try Self.list(server.awsJSON(["ec2", "describe-subnets"] + tagged), "Subnets") {
            let name = (subnet["Tags"] as? [[String: Any]] ?? []).first { $0["Key"] as? String == "Name" }?["Value"] as? String ?? "?"
            let v6 = (subnet["Ipv6CidrBlockAssociationSet"] as? [[String: Any]])?.first?["Ipv6CidrBlock"] as? String ?? "-"
            subnets[name] = "\(v6) \(subnet["MapPublicIpOnLaunch"] as? Bool ?? false) \(subnet["AssignIpv6AddressOnCreation"] as? Bool ?? false)"
        }
        let slash64 = { (index: Int) in block.subnet(index, length: 64)?.description ?? "?" }
        #expect(
            subnets == [
                "web-a": "\(slash64(1)) true true", "web-b": "\(slash64(2)) false true",
                "db-a": "\(slash64(11)) false false", "db-b": "- false false",
            ])
        // The new group in a dual-stack VPC: EC2's default ::/0 egress is gone, only what the document says is left.
        let web = try #require(try Self.list(server.awsJSON(["ec2", "describe-security-groups"] + tagged), "SecurityGroups").first)
        #expect(Self.peers(web["IpPermissionsEgress"]) == ["tcp 443 ::/0 -"])
        // subnet/web-a stands for both of its blocks; db-b has only IPv4.
        #expect(
            Self.peers(web["IpPermissions"]) == [
                "tcp 443 ::/0 public HTTPS over IPv6", "tcp 22 10.50.1.0/24 from web-a", "tcp 22 \(slash64(1)) from web-a",
                "tcp 5432 10.50.12.0/24 -",
            ])

        // Imported back, subnet/web-a is written once and the plan is empty.
        let imported = try Importer(provider: "cloud").documents(
            try await provider.describe(
                DescribeScope(
                    stack: AWSFixtures.stack, kinds: [.vpc, .subnet, .securityGroup])))
        let document = try #require(imported.values.first { $0.contains("security_groups:") })
        #expect(document.contains("\"subnet/web-a\"") && !document.contains("/ipv6"), "\(document)")
        let reloaded = try AWSFixtures.load(server, imported)
        let importPlan = try await ProviderHarness(desired: reloaded, provider: provider).plan().plan
        #expect(importPlan.changes.isEmpty, "\(importPlan.changes.map { "\($0.action) \($0.address) \($0.reason ?? "")" })")

        // Hostnames off, web-b without IPv6: only those calls.
        let edited = try AWSFixtures.load(server, ["network.yaml": Self.dualStack(hostnames: false, webB: "map_public_ip_on_launch: false")])
        let editHarness = ProviderHarness(desired: edited, provider: provider)
        let (editPlan, scope) = try await editHarness.plan()
        #expect(Set(editPlan.changes.map(\.address.name)) == ["main", "web-b"])
        let before = provider.operationCounts
        let editResult = await editHarness.apply(editPlan, scope: scope)
        #expect(editResult.status == .succeeded, "\(editResult.error ?? "")")
        #expect(
            Self.writes(provider, since: before) == [
                "ModifyVpcAttribute": 1, "ModifySubnetAttribute": 1, "DisassociateSubnetCidrBlock": 1,
            ])
        #expect(try Self.vpcAttribute(server, vpcID, "enableDnsHostnames") == false)
        #expect(try await editHarness.plan().plan.changes.isEmpty)
    }

    @Test("prefix lists as sources, by name and by id: authorized with the list's id, read back as written, a second plan is empty")
    func prefixListSources() async throws {
        let server = try MotoServer()
        func create(_ name: String, _ cidr: String) throws -> String {
            let created =
                try server.awsJSON([
                    "ec2", "create-managed-prefix-list", "--prefix-list-name", name, "--max-entries", "5",
                    "--address-family", "IPv4", "--entries", "Cidr=\(cidr)",
                ]) as? [String: Any]
            return try #require((created?["PrefixList"] as? [String: Any])?["PrefixListId"] as? String)
        }
        let corpID = try create("corp-office", "203.0.113.0/24")
        // A list written by its id (one document names each list one way).
        let listID = try create("vpn", "198.51.100.0/24")
        let document = """
            provider: cloud
            vpcs:
              main: {cidr: 10.60.0.0/16}
            security_groups:
              admin:
                vpc: main
                ingress:
                  - {protocol: tcp, ports: 443, from: prefix_list/corp-office}
                  - {protocol: tcp, ports: 8443, from: \(listID)}
            """
        let desired = try AWSFixtures.load(server, ["network.yaml": document])
        let provider = try AWSFixtures.provider(server, desired)
        let harness = ProviderHarness(desired: desired, provider: provider)
        let (_, result) = try await harness.converge()
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        let second = try await harness.plan().plan
        #expect(second.changes.isEmpty, "\(second.changes.map { "\($0.action) \($0.address) \($0.reason ?? "")" })")

        let group = try #require(
            try Self.list(server.awsJSON(["ec2", "describe-security-groups", "--filters", "Name=group-name,Values=admin"]), "SecurityGroups").first)
        var sources = Set<String>()
        for permission in group["IpPermissions"] as? [[String: Any]] ?? [] {
            for list in permission["PrefixListIds"] as? [[String: Any]] ?? [] {
                sources.insert("\(permission["FromPort"] as? Int ?? 0) \(list["PrefixListId"] as? String ?? "")")
            }
        }
        #expect(sources == ["443 \(corpID)", "8443 \(listID)"])

        // A list that does not exist fails the group's change, naming the list.
        let missing = try AWSFixtures.load(server, ["network.yaml": document.replacingOccurrences(of: "corp-office", with: "no-such-list")])
        let (_, failed) = try await ProviderHarness(desired: missing, provider: provider).converge()
        #expect(failed.status == .failed)
        #expect(failed.error?.contains("prefix list no-such-list does not exist") == true, "\(failed.error ?? "")")
    }

    @Test(
        "a managed policy attached by hand is drift; one apply detaches it with one DetachRolePolicy call; a deleted role's policies are detached first"
    )
    func handAttachedPolicy() async throws {
        let server = try MotoServer()
        try Self.createPolicies(server)
        let desired = try AWSFixtures.load(server, ["roles.yaml": Self.roles])
        let provider = try AWSFixtures.provider(server, desired)
        let harness = ProviderHarness(desired: desired, provider: provider)
        #expect(try await harness.converge().result.status == .succeeded)

        _ = try server.awsJSON(["iam", "attach-role-policy", "--role-name", "deployer", "--policy-arn", Self.arn("plumb-extra")])
        let (plan, scope) = try await harness.plan()
        #expect(plan.changes.map(\.address) == [Address(kind: .role, name: "deployer")])
        #expect(plan.changes.first?.reason == "managed_policies")
        let before = provider.operationCounts
        #expect(await harness.apply(plan, scope: scope).status == .succeeded)
        #expect(Self.writes(provider, since: before) == ["DetachRolePolicy": 1])
        #expect(try Self.attached(server, "deployer") == [Self.arn("plumb-logs"), Self.arn("plumb-read")])
        #expect(try await harness.plan().plan.changes.isEmpty)

        // reader leaves the documents: IAM refuses to delete a role with attached policies,
        // so the delete detaches them first.
        let fewer = try AWSFixtures.load(server, ["roles.yaml": Self.roles.components(separatedBy: "  reader:")[0]])
        let (deletePlan, deleteResult) = try await ProviderHarness(desired: fewer, provider: provider).converge()
        #expect(deletePlan.changes.map(\.action) == [.delete])
        #expect(deleteResult.status == .succeeded, "\(deleteResult.error ?? "")")
        let roles = try Self.list(server.awsJSON(["iam", "list-roles"]), "Roles").compactMap { $0["RoleName"] as? String }
        #expect(roles.contains("deployer") && !roles.contains("reader"))
    }

    /// A desired state of `count` roles at `path` for `stack`, bound with `iam_path` when given.
    static func rolesState(_ server: MotoServer, stack: String, count: Int, path: String, iamPath: String?) throws -> DesiredState {
        let roles = (0..<count).map { "  \(stack)-\($0):\n    path: \(path)\n    trust: \(trust)\n" }.joined()
        let files = [
            "Providers/cloud.yaml": AWSFixtures.binding(server) + (iamPath.map { "iam_path: \($0)\n" } ?? ""),
            "plumb.yaml": "stack: \(stack)\nsafety: {max_changes: 5000, max_deletes: 100}\n",
            "Desired/roles.yaml": "provider: cloud\nroles:\n" + roles,
        ]
        return try DesiredStateLoader(environment: server.credentialsEnvironment).load(MemoryTree(files, stack: stack))
    }

    @Test(
        "iam_path: describe lists the roles under it and reads only those, not every role in the account; a role that leaves the documents is still found and deleted"
    )
    func iamPathScope() async throws {
        let server = try MotoServer()
        // Another team's 40 roles at the root path.
        let others = try Self.rolesState(server, stack: "other", count: 40, path: "/", iamPath: nil)
        #expect(try await ProviderHarness(desired: others, provider: AWSFixtures.provider(server, others)).converge().result.status == .succeeded)

        let scoped = try Self.rolesState(server, stack: "mine", count: 3, path: "/plumb/", iamPath: "/plumb/")
        let provider = try AWSFixtures.provider(server, scoped)
        #expect(try await ProviderHarness(desired: scoped, provider: provider).converge().result.status == .succeeded)
        var before = provider.operationCounts
        #expect(try await ProviderHarness(desired: scoped, provider: provider).plan().plan.changes.isEmpty)
        let getRoles = (provider.operationCounts["GetRole"] ?? 0) - (before["GetRole"] ?? 0)
        #expect(getRoles == 3, "GetRole for the three roles under /plumb/ only, not for the account's 43")
        #expect((provider.operationCounts["ListRoles"] ?? 0) - (before["ListRoles"] ?? 0) == 1)

        // Unscoped, the same plan reads every role.
        let unscoped = try Self.rolesState(server, stack: "mine", count: 3, path: "/plumb/", iamPath: nil)
        let wide = try AWSFixtures.provider(server, unscoped)
        before = wide.operationCounts
        #expect(try await ProviderHarness(desired: unscoped, provider: wide).plan().plan.changes.isEmpty)
        #expect((wide.operationCounts["GetRole"] ?? 0) - (before["GetRole"] ?? 0) == 43)

        // mine-2 leaves the documents: found under the path by its tag, and deleted.
        let fewer = try Self.rolesState(server, stack: "mine", count: 2, path: "/plumb/", iamPath: "/plumb/")
        let (plan, result) = try await ProviderHarness(desired: fewer, provider: provider).converge()
        #expect(plan.changes.map { "\($0.action) \($0.address.name)" } == ["delete mine-2"])
        #expect(result.status == .succeeded)

        // A role outside the binding's path is refused before anything is asked.
        #expect(throws: (any Error).self) { try Self.rolesState(server, stack: "mine", count: 1, path: "/", iamPath: "/plumb/") }
        do {
            _ = try Self.rolesState(server, stack: "mine", count: 1, path: "/", iamPath: "/plumb/")
        } catch {
            #expect("\(error)".contains("path / is outside provider 'cloud''s iam_path /plumb/"), "\(error)")
        }
    }

    @Test("bad attribute values are refused at their position and nothing is planned")
    func refusedValues() throws {
        let cases: [(String, String)] = [
            ("roles:\n  r:\n    trust: \(Self.trust)\n    max_session_duration: 13h\n", "max_session_duration '13h' must be from 1h to 12h"),
            ("roles:\n  r:\n    trust: \(Self.trust)\n    max_session_duration: 30m\n", "max_session_duration '30m' must be from 1h to 12h"),
            ("roles:\n  r:\n    trust: \(Self.trust)\n    managed_policies: [ReadOnlyAccess]\n", "'ReadOnlyAccess' is not a managed policy's ARN"),
            ("roles:\n  r:\n    trust: \(Self.trust)\n    permissions_boundary: arn:aws:s3:::bucket\n", "is not a managed policy's ARN"),
            (
                "vpcs:\n  main: {cidr: 10.0.0.0/16}\nsecurity_groups:\n  g:\n    vpc: main\n    ingress:\n      - {protocol: tcp, ports: 443, from: \"2001:db8::1/32\"}\n",
                "has host bits set; the network is 2001:db8::/32"
            ),
            (
                "vpcs:\n  main: {cidr: 10.0.0.0/16}\nsecurity_groups:\n  g:\n    vpc: main\n    ingress:\n      - {protocol: tcp, ports: 443, from: 0.0.0.0/0, description: \"caf\u{E9}\"}\n",
                "which EC2 does not allow"
            ),
            (
                "vpcs:\n  main: {cidr: 10.0.0.0/16}\nsubnets:\n  a: {vpc: main, cidr: 10.0.1.0/24, zone: us-east-1a, ipv6_index: 1}\n",
                "ipv6_index 1 needs an IPv6 block on VPC main"
            ),
            (
                "vpcs:\n  main: {cidr: 10.0.0.0/16, ipv6: true}\nsubnets:\n  a: {vpc: main, cidr: 10.0.1.0/24, zone: us-east-1a, ipv6_index: 7}\n  b: {vpc: main, cidr: 10.0.2.0/24, zone: us-east-1a, ipv6_index: 7}\n",
                "ipv6_index 7 is subnet a's /64 too"
            ),
            (
                "vpcs:\n  main: {cidr: 10.0.0.0/16, ipv6: true}\nsubnets:\n  a: {vpc: main, cidr: 10.0.1.0/24, zone: us-east-1a, ipv6_index: 256}\n",
                "ipv6_index must be a whole number from 0 to 255"
            ),
            (
                "vpcs:\n  main: {cidr: 10.0.0.0/16, ipv6: true}\nsubnets:\n  a: {vpc: main, cidr: 10.0.1.0/24, zone: us-east-1a, assign_ipv6_on_creation: true}\n",
                "assign_ipv6_on_creation needs an IPv6 block"
            ),
            ("vpcs:\n  main: {cidr: 10.0.0.0/16, dns_hostnames: yes please}\n", "dns_hostnames must be true or false"),
            (
                "vpcs:\n  main: {cidr: 10.0.0.0/16}\nsecurity_groups:\n  g:\n    vpc: main\n    ingress:\n      - {protocol: tcp, ports: 443, from: pl-zz}\n",
                "'pl-zz' is not a prefix list's name or pl- id"
            ),
        ]
        for (document, message) in cases {
            let files = [
                "Providers/cloud.yaml": "kind: embedded\n", "plumb.yaml": "stack: test\n", "Desired/cloud.yaml": "provider: cloud\n" + document,
            ]
            #expect(throws: (any Error).self) { try DesiredStateLoader(environment: [:]).load(MemoryTree(files, stack: "test")) }
            do {
                _ = try DesiredStateLoader(environment: [:]).load(MemoryTree(files, stack: "test"))
            } catch {
                let text = "\(error)"
                #expect(text.contains(message), "\(text)")
                #expect(text.contains("Desired/cloud.yaml:"), "a position: \(text)")
            }
        }
    }

    // MARK: helpers

    static func list(_ json: Any, _ key: String) throws -> [[String: Any]] {
        try #require((json as? [String: Any])?[key] as? [[String: Any]], "no \(key) in \(json)")
    }

    /// "tcp 443 ::/0 DESCRIPTION" per CIDR peer, "-" for none, in the order EC2 lists them.
    static func peers(_ permissions: Any?) -> Set<String> {
        var result = Set<String>()
        for permission in permissions as? [[String: Any]] ?? [] {
            let head = "\(permission["IpProtocol"] as? String ?? "?") \(permission["FromPort"] as? Int ?? -1)"
            for range in permission["IpRanges"] as? [[String: Any]] ?? [] {
                result.insert("\(head) \(range["CidrIp"] as? String ?? "") \(range["Description"] as? String ?? "-")")
            }
            for range in permission["Ipv6Ranges"] as? [[String: Any]] ?? [] {
                result.insert("\(head) \(range["CidrIpv6"] as? String ?? "") \(range["Description"] as? String ?? "-")")
            }
        }
        return result
    }

    static func vpcAttribute(_ server: MotoServer, _ id: String, _ attribute: String) throws -> Bool? {
        let answer = try server.awsJSON(["ec2", "describe-vpc-attribute", "--vpc-id", id, "--attribute", attribute]) as? [String: Any]
        let key = attribute.prefix(1).uppercased() + attribute.dropFirst()
        return (answer?[key] as? [String: Any])?["Value"] as? Bool
    }

    static func attached(_ server: MotoServer, _ role: String) throws -> [String] {
        try list(server.awsJSON(["iam", "list-attached-role-policies", "--role-name", role]), "AttachedPolicies")
            .compactMap { $0["PolicyArn"] as? String }.sorted()
    }

    /// The write calls sent since `before`, by operation.
    static func writes(_ provider: AWSProvider, since before: [String: Int]) -> [String: Int] {
        var writes: [String: Int] = [:]
        for (operation, count) in provider.operationCounts
        where !operation.hasPrefix("Describe") && !operation.hasPrefix("Get") && !operation.hasPrefix("List") {
            let sent = count - (before[operation] ?? 0)
            if sent > 0 { writes[operation] = sent }
        }
        return writes
    }
}
