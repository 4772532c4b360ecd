import Foundation
import PlumbCore
import PlumbProviderEmbedded
import Testing

private func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-embedded-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func provider(_ directory: String) throws -> EmbeddedProvider {
    try EmbeddedProvider(binding: ProviderBinding(name: "cloud", type: .embedded), stateDirectory: directory)
}

private let context = ApplyContext(stack: "test")
private let vpc = Address(kind: .vpc, name: "main")
private let subnetA = Address(kind: .subnet, name: "a")

private func create(_ address: Address, _ spec: ResourceSpec) -> Change {
    Change(action: .create, address: address, provider: "cloud", before: nil, after: spec)
}

private func delete(_ address: Address) -> Change {
    Change(action: .delete, address: address, provider: "cloud", before: nil, after: nil)
}

private func failureCode(_ result: BatchResult, at index: Int) -> ProviderError.Code? {
    if case .failed(let error) = result.outcomes[index].status { return error.code }
    return nil
}

private let everything = DescribeScope(stack: "test", kinds: Set(ResourceKind.allCases), zones: ["example.com."])

@Suite("Embedded provider")
struct EmbeddedProviderTests {
    @Test("assigns ids, tags what it creates with the stack and survives a restart")
    func createAndReopen() async throws {
        let directory = temporaryDirectory()
        let first = try provider(directory)
        let result = await first.apply([create(vpc, .vpc(VPCSpec(cidr: "10.0.0.0/16", tags: ["team": "a"])))], context: context)
        guard case .applied(let id)? = result.outcomes.first?.status else {
            Issue.record("create failed: \(result.outcomes)")
            return
        }
        #expect(id?.hasPrefix("vpc-") == true)
        let reopened = try provider(directory)
        let live = try await reopened.describe(everything).resources[vpc]
        #expect(live?.id == id)
        #expect(live?.owner == "test")
        #expect(live?.spec == .vpc(VPCSpec(cidr: "10.0.0.0/16", tags: ["team": "a"])))
    }

    @Test("the AWS attributes of SPEC §8.8 are kept and read back exactly, across a restart")
    func awsAttributes() async throws {
        let directory = temporaryDirectory()
        let binding = ProviderBinding(name: "cloud", type: .embedded, settings: ["prefix_lists": "corp-office,pl-0a1b"])
        let first = try EmbeddedProvider(binding: binding, stateDirectory: directory)
        let group = Address(kind: .securityGroup, name: "web")
        let role = Address(kind: .role, name: "deployer")
        let trust: JSONValue = .object([
            "Version": .string("2012-10-17"), "Statement": .object(["Effect": .string("Allow"), "Action": .string("sts:AssumeRole")]),
        ])
        let specs: [(Address, ResourceSpec)] = [
            (vpc, .vpc(VPCSpec(cidr: "10.0.0.0/16", ipv6: true, dnsHostnames: true, dnsSupport: false))),
            (
                subnetA,
                .subnet(SubnetSpec(vpc: "main", cidr: "10.0.1.0/24", zone: "z", ipv6Index: 4, mapPublicIPOnLaunch: true, assignIPv6OnCreation: true))
            ),
            (
                group,
                .securityGroup(
                    SecurityGroupSpec(
                        vpc: "main", description: "w",
                        ingress: [
                            SecurityRule(protocol: "tcp", ports: "443", from: "::/0", description: "public HTTPS"),
                            SecurityRule(protocol: "tcp", ports: "22", from: "prefix_list/corp-office"),
                            SecurityRule(protocol: "tcp", ports: "22", from: "prefix_list/pl-0a1b"),
                            SecurityRule(protocol: "tcp", ports: "5432", from: "subnet/a/ipv6"),
                        ], egress: []))
            ),
            (
                role,
                .role(
                    RoleSpec(
                        trust: trust, managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                        permissionsBoundary: "arn:aws:iam::123456789012:policy/boundary", maxSessionDuration: 7200))
            ),
        ]
        let result = await first.apply(specs.map { create($0.0, $0.1) }, context: context)
        #expect(result.outcomes.allSatisfy { $0.isApplied }, "\(result.outcomes)")
        let live = try await EmbeddedProvider(binding: binding, stateDirectory: directory).describe(everything).resources
        for (address, spec) in specs {
            #expect(live[address]?.spec == spec, "\(address)")
        }
    }

    @Test("creating what already exists for the same stack is idempotent: no duplicate, same id")
    func idempotentCreate() async throws {
        let embedded = try provider(temporaryDirectory())
        let change = create(vpc, .vpc(VPCSpec(cidr: "10.0.0.0/16")))
        let first = await embedded.apply([change], context: context)
        let second = await embedded.apply([change], context: context)
        guard case .applied(let a)? = first.outcomes.first?.status, case .applied(let b)? = second.outcomes.first?.status else {
            Issue.record("expected both creates to succeed")
            return
        }
        #expect(a == b)
        #expect(try await embedded.describe(everything).resources.count == 1)
        // Another stack's create of the same name is a conflict.
        let other = await embedded.apply([change], context: ApplyContext(stack: "other"))
        #expect(failureCode(other, at: 0) == .conflict)
    }

    @Test(
        "refuses what a cloud refuses",
        arguments: [
            ("subnet-without-vpc", [create(subnetA, .subnet(SubnetSpec(vpc: "main", cidr: "10.0.1.0/24", zone: "z")))], ProviderError.Code.notFound),
            (
                "subnet-outside-vpc",
                [
                    create(vpc, .vpc(VPCSpec(cidr: "10.0.0.0/16"))),
                    create(subnetA, .subnet(SubnetSpec(vpc: "main", cidr: "10.1.1.0/24", zone: "z"))),
                ], .invalid
            ),
            (
                "overlapping-subnets",
                [
                    create(vpc, .vpc(VPCSpec(cidr: "10.0.0.0/16"))),
                    create(subnetA, .subnet(SubnetSpec(vpc: "main", cidr: "10.0.0.0/20", zone: "z"))),
                    create(Address(kind: .subnet, name: "b"), .subnet(SubnetSpec(vpc: "main", cidr: "10.0.1.0/24", zone: "z"))),
                ], .conflict
            ),
            (
                "vpc-with-subnets-deleted",
                [
                    create(vpc, .vpc(VPCSpec(cidr: "10.0.0.0/16"))),
                    create(subnetA, .subnet(SubnetSpec(vpc: "main", cidr: "10.0.1.0/24", zone: "z"))),
                    delete(vpc),
                ], .dependency
            ),
            (
                "group-referencing-missing-group",
                [
                    create(vpc, .vpc(VPCSpec(cidr: "10.0.0.0/16"))),
                    create(
                        Address(kind: .securityGroup, name: "web"),
                        .securityGroup(
                            SecurityGroupSpec(
                                vpc: "main", description: "w", ingress: [SecurityRule(protocol: "tcp", ports: "80", from: "security_group/ghost")],
                                egress: nil))),
                ], .notFound
            ),
            (
                "ipv6-subnet-in-ipv4-vpc",
                [
                    create(vpc, .vpc(VPCSpec(cidr: "10.0.0.0/16"))),
                    create(subnetA, .subnet(SubnetSpec(vpc: "main", cidr: "10.0.1.0/24", zone: "z", ipv6Index: 1))),
                ], .invalid
            ),
            (
                "two-subnets-one-ipv6-block",
                [
                    create(vpc, .vpc(VPCSpec(cidr: "10.0.0.0/16", ipv6: true))),
                    create(subnetA, .subnet(SubnetSpec(vpc: "main", cidr: "10.0.1.0/24", zone: "z", ipv6Index: 3))),
                    create(Address(kind: .subnet, name: "b"), .subnet(SubnetSpec(vpc: "main", cidr: "10.0.2.0/24", zone: "z", ipv6Index: 3))),
                ], .conflict
            ),
            (
                "prefix-list-the-cloud-lacks",
                [
                    create(vpc, .vpc(VPCSpec(cidr: "10.0.0.0/16"))),
                    create(
                        Address(kind: .securityGroup, name: "admin"),
                        .securityGroup(
                            SecurityGroupSpec(
                                vpc: "main", description: "a",
                                ingress: [SecurityRule(protocol: "tcp", ports: "443", from: "prefix_list/corp-office")], egress: nil))),
                ], .notFound
            ),
            (
                "record-without-zone",
                [
                    create(.record(zone: "example.com.", name: "www", type: .A), .record(RecordSpec(ttl: 60, values: ["192.0.2.1"])))
                ], .notFound
            ),
            (
                "cname-beside-a",
                [
                    create(.zone("example.com."), .zone(ZoneSpec())),
                    create(.record(zone: "example.com.", name: "www", type: .A), .record(RecordSpec(ttl: 60, values: ["192.0.2.1"]))),
                    create(.record(zone: "example.com.", name: "www", type: .CNAME), .record(RecordSpec(ttl: 60, values: ["x.example.com."]))),
                ], .conflict
            ),
        ])
    func constraints(_ name: String, _ changes: [Change], _ code: ProviderError.Code) async throws {
        let embedded = try provider(temporaryDirectory())
        let result = await embedded.apply(changes, context: context)
        let last = changes.count - 1
        for index in 0..<last {
            #expect(result.outcomes[index].isApplied, "\(name): change \(index) should apply")
        }
        #expect(failureCode(result, at: last) == code, "\(name)")
    }

    @Test("after a failed change the rest of the batch is not attempted")
    func stopsAtFirstFailure() async throws {
        let embedded = try provider(temporaryDirectory())
        let result = await embedded.apply(
            [
                create(subnetA, .subnet(SubnetSpec(vpc: "main", cidr: "10.0.1.0/24", zone: "z"))),
                create(vpc, .vpc(VPCSpec(cidr: "10.0.0.0/16"))),
            ], context: context)
        #expect(failureCode(result, at: 0) == .notFound)
        if case .notAttempted = result.outcomes[1].status {} else { Issue.record("second change was attempted") }
        #expect(try await embedded.describe(everything).resources.isEmpty)
    }

    @Test("groups of one batch may reference each other (created before rules are checked)")
    func mutualReferences() async throws {
        let embedded = try provider(temporaryDirectory())
        let rule = { (peer: String) in SecurityRule(protocol: "tcp", ports: "5432", from: "security_group/\(peer)") }
        let result = await embedded.apply(
            [
                create(vpc, .vpc(VPCSpec(cidr: "10.0.0.0/16"))),
                create(
                    Address(kind: .securityGroup, name: "a"),
                    .securityGroup(SecurityGroupSpec(vpc: "main", description: "a", ingress: [rule("b")], egress: nil))),
                create(
                    Address(kind: .securityGroup, name: "b"),
                    .securityGroup(SecurityGroupSpec(vpc: "main", description: "b", ingress: [rule("a")], egress: nil))),
            ], context: context)
        #expect(result.outcomes.allSatisfy { $0.isApplied })
        let live = try await embedded.describe(everything).resources[Address(kind: .securityGroup, name: "a")]
        // A group created without egress gets the cloud default.
        if case .securityGroup(let group)? = live?.spec {
            #expect(group.egress == [SecurityRule(protocol: "all", ports: nil, to: "0.0.0.0/0")])
        } else {
            Issue.record("group a missing")
        }
    }

    @Test("deleting a zone removes its records; describe lists only the zones asked for")
    func zones() async throws {
        let embedded = try provider(temporaryDirectory())
        _ = await embedded.apply(
            [
                create(.zone("example.com."), .zone(ZoneSpec())),
                create(.record(zone: "example.com.", name: "www", type: .A), .record(RecordSpec(ttl: 60, values: ["192.0.2.1"]))),
                create(.zone("other.org."), .zone(ZoneSpec())),
                create(.record(zone: "other.org.", name: "www", type: .A), .record(RecordSpec(ttl: 60, values: ["192.0.2.2"]))),
            ], context: context)
        let scoped = try await embedded.describe(everything)
        #expect(scoped.resources.keys.filter { $0.kind == .record } == [.record(zone: "example.com.", name: "www", type: .A)])
        #expect(scoped.resources[.zone("other.org.")] != nil)
        _ = await embedded.apply([delete(.zone("example.com."))], context: context)
        let after = try await embedded.describe(DescribeScope(stack: "test", kinds: [.zone, .record], zones: ["example.com.", "other.org."]))
        #expect(after.resources.keys.sorted() == [.zone("other.org."), .record(zone: "other.org.", name: "www", type: .A)].sorted())
    }
}
