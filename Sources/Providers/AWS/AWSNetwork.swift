import Foundation
import PlumbCore
import PlumbProviderKit

/// VPCs, subnets and security groups over EC2.
///
/// Describe asks for what Plumb can own — resources tagged with the stack, and resources
/// carrying a name the desired state uses — so every kind costs a few paginated, filtered
/// calls however many resources there are.
struct AWSNetwork: Sendable {
    let ec2: EC2API
    let provider: String
    /// Values per filter: EC2 accepts at most 200.
    static let filterValueLimit = 200

    // MARK: Describe

    /// What EC2 reports in the scope, as Plumb resources plus the id maps apply needs.
    struct Snapshot: Sendable {
        var vpcs: [EC2VPC] = []
        var subnets: [EC2Subnet] = []
        var groups: [EC2SecurityGroup] = []
        /// Groups outside the scope that rules of `groups` name: for their names only.
        var referencedGroups: [EC2SecurityGroup] = []
        /// Subnets outside the scope whose IPv6 blocks rules of `groups` name: for their names.
        var referencedSubnets: [EC2Subnet] = []
        /// Prefix list id → the name the desired rules use for it; others read as ids.
        var prefixListNames: [String: String] = [:]

        /// `VPC-ID|IPV6-CIDR` → subnet name, for reading rules back as `subnet/NAME/ipv6`.
        var subnetIPv6Names: [String: String] {
            var names: [String: String] = [:]
            for subnet in subnets + referencedSubnets {
                guard let block = subnet.ipv6, let name = subnet.tags["Name"] else { continue }
                names["\(subnet.vpcID)|\(block.cidr)"] = names["\(subnet.vpcID)|\(block.cidr)"] ?? name
            }
            return names
        }
    }

    /// `vpcAttributes`: also read each VPC's DNS settings, two calls per VPC (EC2 reports
    /// them nowhere else); an id lookup does without.
    func snapshot(
        kinds: Set<ResourceKind>, stack: String, names: [ResourceKind: Set<String>], includeOwned: Bool = true,
        everything: Bool = false, vpcAttributes: Bool = true, prefixLists: Set<String> = []
    ) async throws -> Snapshot {
        // Everything Plumb could manage carries a Name tag (groups: their group name).
        let owned: [EC2API.Filter] = everything ? [("tag-key", ["Name"])] : [("tag:plumb:stack", [stack])]
        async let vpcs =
            kinds.isDisjoint(with: [.vpc, .subnet, .securityGroup])
            ? [] : describe(includeOwned ? owned : nil, byName: "tag:Name", names[.vpc] ?? [], ec2.describeVPCs)
        async let subnets =
            kinds.contains(.subnet)
            ? describe(includeOwned ? owned : nil, byName: "tag:Name", names[.subnet] ?? [], ec2.describeSubnets) : []
        async let groups =
            kinds.contains(.securityGroup)
            ? describe(everything ? [] : includeOwned ? owned : nil, byName: "group-name", names[.securityGroup] ?? [], ec2.describeSecurityGroups)
            : []
        var snapshot = try await Snapshot(vpcs: vpcs, subnets: subnets, groups: groups)
        // Subnets and groups may sit in VPCs the filters above did not return: name those too.
        let known = Set(snapshot.vpcs.map(\.id))
        let missing = Set(snapshot.subnets.map(\.vpcID) + snapshot.groups.map(\.vpcID)).subtracting(known).filter { !$0.isEmpty }
        if !missing.isEmpty {
            snapshot.vpcs += try await describe(nil, byName: "vpc-id", Set(missing), ec2.describeVPCs)
        }
        // Rules may name groups outside the scope (a read-back of one group): name those too.
        let groupIDs = Set(snapshot.groups.map(\.id))
        let referenced = Set(
            snapshot.groups.flatMap { $0.ingress + $0.egress }.compactMap { permission -> String? in
                if case .group(let id) = permission.peer, !groupIDs.contains(id) { return id }
                return nil
            })
        if !referenced.isEmpty {
            snapshot.referencedGroups = try await describe(nil, byName: "group-id", referenced, ec2.describeSecurityGroups)
        }
        // Rules may name subnets' IPv6 blocks (a /64): name those subnets too, one call per VPC set.
        let knownBlocks = Set(snapshot.subnets.compactMap { $0.ipv6.map { "\($0.cidr)" } })
        let ipv6VPCs = Set(
            snapshot.groups.filter { group in
                (group.ingress + group.egress).contains { permission in
                    if case .cidrV6(let cidr) = permission.peer {
                        return cidr.hasSuffix("/64") && !knownBlocks.contains(IPv6CIDR(cidr)?.description ?? cidr)
                    }
                    return false
                }
            }.map(\.vpcID))
        if !ipv6VPCs.isEmpty {
            snapshot.referencedSubnets = try await describe(nil, byName: "vpc-id", ipv6VPCs, ec2.describeSubnets)
        }
        let listIDs = Set(
            snapshot.groups.flatMap { $0.ingress + $0.egress }.compactMap { permission -> String? in
                if case .prefixList(let id) = permission.peer { return id }
                return nil
            })
        if !listIDs.isEmpty, !prefixLists.isEmpty {
            for list in try await ec2.describePrefixLists([("prefix-list-id", listIDs.sorted())]) where prefixLists.contains(list.name) {
                snapshot.prefixListNames[list.id] = list.name
            }
        }
        if vpcAttributes, kinds.contains(.vpc) {
            let ec2 = self.ec2
            snapshot.vpcs = try await concurrentMap(snapshot.vpcs) { vpc in
                guard vpc.tags["Name"] != nil else { return vpc }
                let id = vpc.id
                async let hostnames = ec2.vpcAttribute(id, "enableDnsHostnames")
                async let support = ec2.vpcAttribute(id, "enableDnsSupport")
                var described = vpc
                (described.dnsHostnames, described.dnsSupport) = try await (hostnames, support)
                return described
            }
        }
        return snapshot
    }

    /// Owned ones (one filter) plus named ones (names in slices the API accepts), each
    /// resource once.
    private func describe<T: Sendable>(
        _ owned: [EC2API.Filter]?, byName filter: String, _ names: Set<String>,
        _ call: @Sendable ([EC2API.Filter]) async throws -> [T]
    ) async throws -> [T] where T: Equatable {
        var result: [T] = []
        if let owned { result += try await call(owned) }
        let sorted = names.sorted()
        for start in stride(from: 0, to: sorted.count, by: Self.filterValueLimit) {
            let slice = Array(sorted[start..<min(start + Self.filterValueLimit, sorted.count)])
            for item in try await call([(filter, slice)]) where !result.contains(item) {
                result.append(item)
            }
        }
        return result
    }

    func inventory(_ snapshot: Snapshot, kinds: Set<ResourceKind>, stack: String) -> Inventory {
        var inventory = Inventory()
        let vpcNames = Dictionary(snapshot.vpcs.map { ($0.id, $0.tags["Name"] ?? $0.id) }, uniquingKeysWith: { first, _ in first })
        let vpcBlocks = Dictionary(
            snapshot.vpcs.compactMap { vpc in vpc.ipv6.flatMap { IPv6CIDR($0.cidr) }.map { (vpc.id, $0) } }, uniquingKeysWith: { first, _ in first })
        let groupNames = Dictionary((snapshot.groups + snapshot.referencedGroups).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        func add(_ resource: LiveResource) {
            // Two resources with one name: the stack's own wins.
            if let existing = inventory.resources[resource.address], existing.owner == stack { return }
            inventory.resources[resource.address] = resource
        }
        if kinds.contains(.vpc) {
            for vpc in snapshot.vpcs {
                guard let name = vpc.tags["Name"] else { continue }
                add(
                    LiveResource(
                        address: Address(kind: .vpc, name: name),
                        spec: .vpc(
                            VPCSpec(
                                cidr: vpc.cidr, ipv6: vpc.ipv6 != nil, dnsHostnames: vpc.dnsHostnames, dnsSupport: vpc.dnsSupport,
                                tags: Self.userTags(vpc.tags))),
                        id: vpc.id, owner: vpc.tags["plumb:stack"]))
            }
        }
        if kinds.contains(.subnet) {
            for subnet in snapshot.subnets {
                guard let name = subnet.tags["Name"] else { continue }
                let spec = SubnetSpec(
                    vpc: vpcNames[subnet.vpcID] ?? subnet.vpcID, cidr: subnet.cidr, zone: subnet.zone,
                    ipv6Index: subnet.ipv6.flatMap { Self.ipv6Index($0.cidr, vpcBlock: vpcBlocks[subnet.vpcID]) },
                    mapPublicIPOnLaunch: subnet.mapPublicIPOnLaunch, assignIPv6OnCreation: subnet.assignIPv6OnCreation,
                    tags: Self.userTags(subnet.tags))
                add(LiveResource(address: Address(kind: .subnet, name: name), spec: .subnet(spec), id: subnet.id, owner: subnet.tags["plumb:stack"]))
            }
        }
        if kinds.contains(.securityGroup) {
            let subnetIPv6Names = snapshot.subnetIPv6Names
            // Every VPC's `default` group is AWS's: it cannot be created or deleted.
            for group in snapshot.groups where group.name != "default" {
                let inVPC = Dictionary(
                    subnetIPv6Names.filter { $0.key.hasPrefix("\(group.vpcID)|") }.map {
                        (String($0.key.dropFirst(group.vpcID.count + 1)), $0.value)
                    }, uniquingKeysWith: { first, _ in first })
                let rule = { (permission: EC2Permission, ingress: Bool) in
                    EC2Rules.rule(
                        permission, ingress: ingress, groupNames: groupNames, subnetIPv6Names: inVPC,
                        prefixListNames: snapshot.prefixListNames)
                }
                let spec = SecurityGroupSpec(
                    vpc: vpcNames[group.vpcID] ?? group.vpcID, description: group.description,
                    ingress: group.ingress.map { rule($0, true) }, egress: group.egress.map { rule($0, false) },
                    tags: Self.userTags(group.tags))
                add(
                    LiveResource(
                        address: Address(kind: .securityGroup, name: group.name), spec: .securityGroup(spec),
                        id: group.id, owner: group.tags["plumb:stack"]))
            }
        }
        return inventory
    }

    /// A subnet's /64 number inside its VPC's block (Amazon provides a /56, so without the
    /// VPC's block at hand the subnet's own /56 is the same one).
    static func ipv6Index(_ cidr: String, vpcBlock: IPv6CIDR?) -> Int? {
        guard let block = IPv6CIDR(cidr) else { return nil }
        let parent = vpcBlock ?? IPv6CIDR("\(IPv6CIDR.format(IPv6CIDR.masked(block.groups, 56)))/56")
        return parent.flatMap { block.index(in: $0) }
    }

    /// The tags a document writes: everything but `Name` and `plumb:stack`, which Plumb sets.
    static func userTags(_ tags: [String: String]) -> [String: String] {
        tags.filter { $0.key != "Name" && $0.key != "plumb:stack" }
    }

    static func allTags(_ user: [String: String], name: String, stack: String) -> [String: String] {
        user.merging(["Name": name, "plumb:stack": stack]) { _, plumb in plumb }
    }
}
